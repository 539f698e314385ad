import { useLiveState } from '../use-live';

const LABEL = { idle: 'Live off', connecting: 'Connecting…', connected: 'Live', reconnecting: 'Reconnecting…', refused: 'Live refused' } as const;

/** The top bar's live pill: is this tab's socket up, and how far into the log it is. */
export function LiveIndicator() {
  const s = useLiveState();
  const tone = s.status === 'connected' ? 'connected' : s.status === 'refused' ? 'offline' : s.status === 'idle' ? 'unknown' : 'degraded';
  const title = [
    `Live updates: ${LABEL[s.status].toLowerCase()}`,
    s.error ? `why: ${s.error}` : null,
    `last event seen: #${s.lastSeq}`,
    s.rooms.length ? `following: ${s.rooms.join(', ')}` : 'following no room',
    s.reconnects ? `reconnected ${s.reconnects}× (resumed after the last event seen)` : null,
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <div className={`health health--${tone}${s.status === 'connecting' || s.status === 'reconnecting' ? ' health--connecting' : ''}`} title={title} role="status" data-testid="live" data-status={s.status}>
      <span className="health__dot" aria-hidden="true" />
      <span className="health__label">{LABEL[s.status]}</span>
      {s.status === 'reconnecting' && s.attempt > 0 && <span className="health__reason">· try {s.attempt}</span>}
      {s.status === 'connected' && s.lastSeq > 0 && <span className="health__reason mono">#{s.lastSeq}</span>}
    </div>
  );
}
