import { useMemo, useState } from 'react';
import { projectPath } from '../../../app/routes';
import { useProjectWindow } from '../../project/model/project-context';
import { isLive } from '../../sessions/model/sessions.store';
import { sessionLanes, statusSegments, type Lane } from '../model/gantt';
import { useNow, useProjectTimelines } from '../model/use-timelines';
import { Gantt } from './Gantt';

const WINDOWS = { '15m': 15 * 60_000, '1h': 3_600_000, '6h': 6 * 3_600_000, all: Infinity } as const;

/** Every session of the project on one time axis: lifecycle bars with their marks, live. */
export function ProjectTimelinePage() {
  const { project, sessions, tasks } = useProjectWindow();
  const list = useMemo(() => Object.values(sessions.data ?? {}).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)), [sessions.data]);
  const ids = useMemo(() => list.map((s) => s.id), [list]);
  const timelines = useProjectTimelines(project.id, ids);
  const anyLive = list.some(isLive);
  const now = useNow(1_000, anyLive);
  const [win, setWin] = useState<keyof typeof WINDOWS>('all');
  const m = tasks.data ?? {};

  const lanes = useMemo<Lane[]>(() => {
    const out: Lane[] = [];
    for (const s of [...list].reverse()) {
      const r = timelines.data?.[s.id];
      if (!r) continue;
      const end = s.endedAt ? Date.parse(s.endedAt) : now;
      const inner = sessionLanes(r, end);
      const task = s.taskIds.length === 1 ? m[s.taskIds[0]] : undefined;
      out.push({
        key: `session:${s.id}`,
        label: task ? `#${task.number} ${task.title}` : s.name || s.templateName,
        sub: s.role === 'worker' ? undefined : s.role,
        href: projectPath(project.id, 'sessions', s.id),
        segments: statusSegments(r.statuses, end),
        marks: inner.flatMap((l) => (l.key === 'lifecycle' ? [] : l.marks.filter((mk) => mk.kind !== 'start' && mk.kind !== 'stop' ? true : l.key.startsWith('task:')))),
      });
    }
    return out;
  }, [list, timelines.data, now, m, project.id]);

  const starts = lanes.flatMap((l) => l.segments.map((s) => s.from));
  const first = starts.length ? Math.min(...starts) : now - 60_000;
  const span = WINDOWS[win];
  const from = Number.isFinite(span) ? Math.max(first, now - span) : first;
  const last = anyLive ? now : Math.max(first + 5_000, ...lanes.flatMap((l) => l.segments.map((s) => s.to)));
  const domain: [number, number] = [from, Math.max(from + 5_000, last + (last - from) * 0.02)];

  return (
    <div className="page page--full">
      <header className="page__header">
        <div>
          <h1 className="page__title">Timeline</h1>
          <p className="page__subtitle">Each session’s lifecycle, its task progress and its errors, on one clock. Live.</p>
        </div>
        <div className="page__actions">
          <div className="seg" role="group" aria-label="Window">
            {(Object.keys(WINDOWS) as (keyof typeof WINDOWS)[]).map((k) => (
              <button key={k} type="button" className={`seg__btn${win === k ? ' seg__btn--on' : ''}`} onClick={() => setWin(k)}>
                {k === 'all' ? 'All' : `Last ${k}`}
              </button>
            ))}
          </div>
        </div>
      </header>
      <section className="card">
        {lanes.length === 0 ? <p className="muted">{timelines.data === null && list.length ? 'Loading…' : 'No session yet.'}</p> : <Gantt lanes={lanes} domain={domain} cursor={anyLive ? now : null} compact />}
        <div className="legend">
          {(['pending', 'spawning', 'idle', 'working', 'needs_input', 'completed', 'failed', 'stopped'] as const).map((st) => (
            <span key={st} className="legend__item">
              <span className={`legend__swatch gantt__seg--${st}`} /> {st.replace('_', ' ')}
            </span>
          ))}
          <span className="legend__item">
            <span className="legend__mark legend__mark--progress" /> progress
          </span>
          <span className="legend__item">
            <span className="legend__mark legend__mark--milestone" /> milestone
          </span>
          <span className="legend__item">
            <span className="legend__mark legend__mark--input" /> needs input
          </span>
          <span className="legend__item">
            <span className="legend__mark legend__mark--error" /> error
          </span>
        </div>
      </section>
    </div>
  );
}
