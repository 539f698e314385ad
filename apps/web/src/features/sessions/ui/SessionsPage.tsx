import { useMemo, useState } from 'react';
import { Link } from '../../../app/router';
import { projectPath } from '../../../app/routes';
import { SessionStatusBadge } from '../../../shared/ui/Badges';
import { RelativeTime } from '../../../shared/ui/RelativeTime';
import { hasRole } from '../../auth/model/session';
import { useMe } from '../../auth/model/use-session';
import { useProjectWindow } from '../../project/model/project-context';
import { formatUsd, isLive, SESSION_STATUS, sessionLabel, sessionTree, sortSessions } from '../model/sessions.store';
import { SessionTile } from './SessionTile';

type Filter = 'live' | 'attention' | 'ended' | 'all';
type View = 'grid' | 'tree';
const DENSITY = { xs: { min: 164, font: 8 }, s: { min: 300, font: 9 }, m: { min: 420, font: 11 }, l: { min: 620, font: 13 } } as const;

export function SessionsPage() {
  const { project, sessions, tasks } = useProjectWindow();
  const canType = hasRole(useMe(), 'operator');
  const [filter, setFilter] = useState<Filter>('all');
  const [view, setView] = useState<View>('grid');
  const [picked, setPicked] = useState<keyof typeof DENSITY | null>(null);
  const [focused, setFocused] = useState<string | null>(null);
  const all = useMemo(() => Object.values(sessions.data ?? {}), [sessions.data]);
  const shown = useMemo(() => {
    const f = all.filter((s) =>
      filter === 'live' ? isLive(s) : filter === 'attention' ? ['needs_input', 'stalled', 'lost', 'waiting_quota', 'failed'].includes(s.status) : filter === 'ended' ? !isLive(s) : true,
    );
    return sortSessions(f);
  }, [all, filter]);
  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const s of all) c[s.status] = (c[s.status] ?? 0) + 1;
    return c;
  }, [all]);
  const m = tasks.data ?? {};
  // Until the operator picks a size: large tiles for a few agents, small ones for a fleet.
  const density = picked ?? (shown.length > 24 ? 'xs' : shown.length > 12 ? 's' : shown.length > 4 ? 'm' : 'l');
  const d = DENSITY[density];

  return (
    <div className="page page--full">
      <header className="page__header">
        <div>
          <h1 className="page__title">Sessions</h1>
          <p className="page__subtitle" data-testid="session-counts">
            {all.filter(isLive).length} running of {all.length} ·{' '}
            {Object.entries(counts)
              .sort((a, b) => b[1] - a[1])
              .map(([st, n]) => `${n} ${SESSION_STATUS[st as keyof typeof SESSION_STATUS].label.toLowerCase()}`)
              .join(' · ')}
          </p>
        </div>
        <div className="page__actions">
          <div className="seg" role="group" aria-label="Filter">
            {(['all', 'live', 'attention', 'ended'] as Filter[]).map((f) => (
              <button key={f} type="button" className={`seg__btn${filter === f ? ' seg__btn--on' : ''}`} onClick={() => setFilter(f)}>
                {f === 'attention' ? 'Needs attention' : f[0].toUpperCase() + f.slice(1)}
              </button>
            ))}
          </div>
          <div className="seg" role="group" aria-label="View">
            {(['grid', 'tree'] as View[]).map((v) => (
              <button key={v} type="button" className={`seg__btn${view === v ? ' seg__btn--on' : ''}`} onClick={() => setView(v)}>
                {v === 'grid' ? 'Terminals' : 'Tree'}
              </button>
            ))}
          </div>
          {view === 'grid' && (
            <div className="seg" role="group" aria-label="Tile size">
              {(['xs', 's', 'm', 'l'] as const).map((k) => (
                <button key={k} type="button" className={`seg__btn${density === k ? ' seg__btn--on' : ''}`} onClick={() => setPicked(k)} aria-label={`Tile size ${k}`}>
                  {k.toUpperCase()}
                </button>
              ))}
            </div>
          )}
        </div>
      </header>
      {sessions.data !== null && shown.length === 0 && (
        <div className="empty">
          <h2 className="empty__title">No sessions {filter === 'all' ? 'yet' : 'here'}</h2>
          <p className="empty__text">Start one from a task: it runs an agent in a terminal on a runner.</p>
        </div>
      )}
      {view === 'grid' ? (
        <div className="grid" style={{ gridTemplateColumns: `repeat(auto-fill, minmax(${d.min}px, 1fr))` }} data-testid="session-grid">
          {shown.map((s) => (
            <SessionTile key={s.id} session={s} task={s.taskIds.length === 1 ? m[s.taskIds[0]] : undefined} canType={canType} fontSize={d.font} compact={density === 'xs'} focused={focused === s.id} onFocus={setFocused} />
          ))}
        </div>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="session-tree">
            <thead>
              <tr>
                <th>Session</th>
                <th style={{ width: 130 }}>Status</th>
                <th>Task</th>
                <th style={{ width: 110 }}>Runner</th>
                <th style={{ width: 80 }}>Cost</th>
                <th style={{ width: 110 }}>Since</th>
              </tr>
            </thead>
            <tbody>
              {sessionTree(shown).map(({ session: s, depth }) => (
                <tr key={s.id} className="table__row">
                  <td>
                    <span style={{ paddingLeft: depth * 22 }} className="tree__cell">
                      {depth > 0 && <span className="tree__elbow">└</span>}
                      <Link to={projectPath(project.id, 'sessions', s.id)} className="table__primary">
                        {sessionLabel(s, m)}
                      </Link>
                      <span className="muted mono">{s.role !== 'worker' ? s.role : ''}</span>
                      {s.workerCount > 0 && <span className="tag">{s.workerCount} workers</span>}
                    </span>
                  </td>
                  <td>
                    <SessionStatusBadge status={s.status} />
                  </td>
                  <td className="truncate">{s.taskIds.map((t) => (m[t] ? `#${m[t].number} ${m[t].title}` : t)).join(', ') || <span className="muted">—</span>}</td>
                  <td className="mono muted">{s.runnerId ?? s.lastRunnerId ?? '—'}</td>
                  <td className="muted">{formatUsd(s.usage.costUsd)}</td>
                  <td className="muted">
                    <RelativeTime iso={s.statusSince} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
