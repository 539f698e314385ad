import { memo, useEffect, useRef, useState } from 'react';
import type { SessionView, TaskView } from '@baton/contracts';
import { Link } from '../../../app/router';
import { projectPath } from '../../../app/routes';
import { SessionStatusBadge } from '../../../shared/ui/Badges';
import { MaximizeIcon } from '../../../shared/ui/icons';
import { RelativeTime } from '../../../shared/ui/RelativeTime';
import { formatUsd, isLive } from '../model/sessions.store';
import { TerminalPreview } from './TerminalPreview';
import { TerminalView } from './TerminalView';

interface Props {
  session: SessionView;
  task?: TaskView;
  canType: boolean;
  fontSize: number;
  /** Fifty at a glance: a status dot, the name and the screen. */
  compact?: boolean;
  /** The one tile typed into: a full terminal instead of the painted preview. */
  focused: boolean;
  onFocus: (id: string | null) => void;
}

/**
 * One agent in the grid: status, task, and its live screen (a painted preview; a full
 * terminal to type into once clicked). Off screen (IntersectionObserver) the terminal
 * detaches; back on screen it re-attaches from a fresh snapshot, so fifty tiles cost only
 * what is visible.
 */
export const SessionTile = memo(function SessionTile({ session: s, task, canType, fontSize, compact, focused, onFocus }: Props) {
  const ref = useRef<HTMLElement>(null);
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    // The last entry is the current state (several may be delivered at once).
    const io = new IntersectionObserver((entries) => setVisible(entries[entries.length - 1].isIntersecting), { rootMargin: '120px' });
    io.observe(ref.current!);
    return () => io.disconnect();
  }, []);
  const progress = s.items.length ? s.items.filter((i) => i.status === 'completed').length / s.items.length : null;
  return (
    <article ref={ref} className={`tile tile--${s.status}${compact ? ' tile--compact' : ''}`} data-testid="session-tile" data-session={s.id} data-status={s.status}>
      <header className="tile__head">
        <SessionStatusBadge status={s.status} title={s.statusReason || undefined} />
        <Link to={projectPath(s.projectId, 'sessions', s.id)} className="tile__name truncate" title={s.name || s.id}>
          {task ? (
            <>
              <span className="mono muted">#{task.number}</span> {task.title}
            </>
          ) : (
            s.name || s.templateName
          )}
        </Link>
        <Link to={projectPath(s.projectId, 'sessions', s.id)} className="icon-btn icon-btn--sm" aria-label="Open session" title="Open session">
          <MaximizeIcon size={13} />
        </Link>
      </header>
      <div
        className={`tile__term${focused ? ' tile__term--focused' : ''}`}
        onClick={() => !focused && canType && isLive(s) && onFocus(s.id)}
        onKeyDownCapture={(e) => {
          // Before xterm sees it: Escape leaves the terminal instead of reaching the agent.
          if (e.key !== 'Escape' || !focused) return;
          e.preventDefault();
          e.stopPropagation();
          onFocus(null);
        }}
        title={!focused && canType && isLive(s) ? 'Click to type into this terminal (Esc to leave)' : undefined}
      >
        {focused ? (
          <TerminalView sessionId={s.id} mode="watch" interactive={canType && isLive(s)} paused={!visible} fontSize={fontSize} autoFocus />
        ) : (
          <TerminalPreview sessionId={s.id} paused={!visible} />
        )}
      </div>
      {!compact && (
      <footer className="tile__foot">
        <span className="truncate tile__msg" title={s.lastMessage ?? ''}>
          {s.status === 'needs_input' ? <strong className="tile__ask">? {s.lastMessage ?? 'waiting for input'}</strong> : (s.lastMessage ?? s.templateName)}
        </span>
        {progress !== null && <span className="tile__progress" style={{ ['--p' as string]: progress }} aria-label={`${Math.round(progress * 100)}% of tasks`} />}
        <span className="muted tile__meta">
          {s.usage.costUsd > 0 && `${formatUsd(s.usage.costUsd)} · `}
          {s.runnerId ?? s.lastRunnerId ?? 'no runner'} · <RelativeTime iso={s.statusSince} />
        </span>
      </footer>
      )}
    </article>
  );
});
