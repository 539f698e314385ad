import { useMemo, useState } from 'react';
import { Link } from '../../../app/router';
import { projectPath } from '../../../app/routes';
import { PriorityTag, TaskStatusBadge } from '../../../shared/ui/Badges';
import { useProjectWindow } from '../../project/model/project-context';
import { DEFAULT_SIZES, layoutDag } from '../model/dag-layout';
import { compareTasks, TASK_STATUS_LABEL, wouldUnblock } from '../model/tasks.store';

const { nodeWidth: W, nodeHeight: H } = DEFAULT_SIZES;

/** The dependency DAG, left to right; pick a task to see what finishing it would unblock. */
export function GraphPage() {
  const { project, tasks } = useProjectWindow();
  const m = tasks.data ?? {};
  const [selected, setSelected] = useState<string | null>(null);
  const [leavesOnly, setLeavesOnly] = useState(false);
  const items = useMemo(
    () =>
      Object.values(m)
        .filter((t) => !leavesOnly || t.childCount === 0)
        .sort(compareTasks)
        .map((t) => ({ id: t.id, dependsOn: t.dependsOn.map((d) => d.taskId) })),
    [m, leavesOnly],
  );
  const layout = useMemo(() => layoutDag(items), [items]);
  const sel = selected ? m[selected] : undefined;
  const unblocks = useMemo(() => (selected ? wouldUnblock(m, selected) : []), [m, selected]);
  const hot = new Set(unblocks.map((t) => t.id));
  const upstream = new Set(sel?.dependsOn.map((d) => d.taskId) ?? []);

  return (
    <div className="page page--full">
      <header className="page__header">
        <div>
          <h1 className="page__title">Dependencies</h1>
          <p className="page__subtitle">A task starts when everything it depends on met its condition. Select one to see what finishing it unblocks.</p>
        </div>
        <div className="page__actions">
          <label className="check">
            <input type="checkbox" checked={leavesOnly} onChange={(e) => setLeavesOnly(e.target.checked)} /> Work tasks only
          </label>
        </div>
      </header>
      <div className="graph-layout">
        <div className="graph" data-testid="dag">
          {items.length === 0 ? (
            <p className="muted graph__empty">No tasks yet.</p>
          ) : (
            <svg width={layout.width} height={layout.height} className="dag" role="img" aria-label="Task dependency graph">
              <defs>
                <marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                  <path d="M0,0 L8,4 L0,8 z" className="dag__arrowhead" />
                </marker>
              </defs>
              {layout.edges.map((e) => {
                const cls = selected && e.from === selected ? (hot.has(e.to) ? ' dag__edge--unblocks' : ' dag__edge--out') : selected && e.to === selected ? ' dag__edge--in' : '';
                const met = m[e.from]?.status === 'done';
                return <path key={`${e.from}-${e.to}`} d={e.path} className={`dag__edge${met ? ' dag__edge--met' : ''}${cls}`} markerEnd="url(#arrow)" />;
              })}
              {[...layout.nodes.values()].map((n) => {
                const t = m[n.id];
                if (!t) return null;
                const state = n.id === selected ? ' dag__node--selected' : hot.has(n.id) ? ' dag__node--unblocks' : upstream.has(n.id) ? ' dag__node--upstream' : '';
                return (
                  <g
                    key={n.id}
                    transform={`translate(${n.x},${n.y})`}
                    className={`dag__node dag__node--${t.status}${state}`}
                    onClick={() => setSelected(n.id === selected ? null : n.id)}
                    role="button"
                    tabIndex={0}
                    aria-label={`#${t.number} ${t.title}, ${TASK_STATUS_LABEL[t.status]}`}
                    onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && setSelected(n.id)}
                    data-testid="dag-node"
                    data-task={t.id}
                  >
                    <rect width={W} height={H} rx={8} className="dag__box" />
                    <rect width={4} height={H} rx={2} className="dag__stripe" />
                    <text x={14} y={21} className="dag__num">
                      #{t.number} · {TASK_STATUS_LABEL[t.status]}
                    </text>
                    <text x={14} y={40} className="dag__title">
                      {t.title.length > 33 ? `${t.title.slice(0, 32)}…` : t.title}
                    </text>
                  </g>
                );
              })}
            </svg>
          )}
        </div>
        <aside className="graph-side card">
          {!sel ? (
            <p className="muted">Select a task in the graph.</p>
          ) : (
            <>
              <div className="graph-side__head">
                <span className="mono muted">#{sel.number}</span>
                <TaskStatusBadge status={sel.status} />
                <PriorityTag priority={sel.priority} />
              </div>
              <Link to={projectPath(project.id, 'tasks', sel.id)} className="graph-side__title">
                {sel.title}
              </Link>
              <h3 className="section-label">Waits for</h3>
              {sel.dependsOn.length ? (
                <ul className="dep-list">
                  {sel.dependsOn.map((d) => (
                    <li key={d.taskId}>
                      <span className="mono muted">#{m[d.taskId]?.number}</span> {m[d.taskId]?.title ?? d.taskId}
                      {m[d.taskId] && <TaskStatusBadge status={m[d.taskId].status} />}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted">Nothing.</p>
              )}
              <h3 className="section-label">Finishing it would unblock</h3>
              {unblocks.length ? (
                <ul className="dep-list" data-testid="unblocks">
                  {unblocks.map((t) => (
                    <li key={t.id}>
                      <span className="mono muted">#{t.number}</span> {t.title}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted">{sel.dependants.length ? `${sel.dependants.length} task(s) after it still wait for others.` : 'No task waits for it.'}</p>
              )}
            </>
          )}
          <div className="legend">
            {(['ready', 'in_progress', 'in_review', 'done', 'blocked', 'failed'] as const).map((s) => (
              <span key={s} className="legend__item">
                <span className={`dot dot--task-${s}`} /> {TASK_STATUS_LABEL[s]}
              </span>
            ))}
          </div>
        </aside>
      </div>
    </div>
  );
}
