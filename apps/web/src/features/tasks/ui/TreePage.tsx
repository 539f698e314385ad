import { useMemo, useState } from 'react';
import { Link } from '../../../app/router';
import { projectPath } from '../../../app/routes';
import { PriorityTag, TaskStatusBadge } from '../../../shared/ui/Badges';
import { ChevronDownIcon, ChevronRightIcon, PlusIcon } from '../../../shared/ui/icons';
import { hasRole } from '../../auth/model/session';
import { useMe } from '../../auth/model/use-session';
import { useProjectWindow } from '../../project/model/project-context';
import { rollup, treeRows } from '../model/tasks.store';
import { TaskFormDrawer } from './TaskFormDrawer';

export function TreePage() {
  const { project, tasks } = useProjectWindow();
  const canAct = hasRole(useMe(), 'operator');
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const [creating, setCreating] = useState<{ parentId?: string } | null>(null);
  const m = tasks.data ?? {};
  const rows = useMemo(() => treeRows(m, collapsed), [m, collapsed]);
  const toggle = (id: string) =>
    setCollapsed((c) => {
      const n = new Set(c);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  return (
    <div className="page page--wide">
      <header className="page__header">
        <div>
          <h1 className="page__title">Tasks</h1>
          <p className="page__subtitle">The plan as a tree: a parent is done when all its subtasks are.</p>
        </div>
        <div className="page__actions">
          <button type="button" className="btn btn--primary" onClick={() => setCreating({})} disabled={!canAct}>
            <PlusIcon /> New task
          </button>
        </div>
      </header>
      {tasks.data !== null && rows.length === 0 && (
        <div className="empty">
          <h2 className="empty__title">No tasks yet</h2>
          <p className="empty__text">Create the first task; agents pick up tasks that are ready.</p>
        </div>
      )}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="table tree" data-testid="task-tree">
            <thead>
              <tr>
                <th>Task</th>
                <th style={{ width: 110 }}>Status</th>
                <th style={{ width: 60 }}>Prio</th>
                <th style={{ width: 170 }}>Depends on</th>
                <th style={{ width: 120 }}>Progress</th>
                <th style={{ width: 44 }} aria-label="Add subtask" />
              </tr>
            </thead>
            <tbody>
              {rows.map(({ task, depth, hasChildren }) => {
                const r = hasChildren ? rollup(m, task.id) : null;
                return (
                  <tr key={task.id} className="table__row" data-testid="tree-row">
                    <td>
                      <span className="tree__cell" style={{ paddingLeft: depth * 20 }}>
                        {hasChildren ? (
                          <button type="button" className="icon-btn icon-btn--sm" onClick={() => toggle(task.id)} aria-label={collapsed.has(task.id) ? 'Expand' : 'Collapse'}>
                            {collapsed.has(task.id) ? <ChevronRightIcon size={13} /> : <ChevronDownIcon size={13} />}
                          </button>
                        ) : (
                          <span className="tree__leaf" />
                        )}
                        <span className="mono muted">#{task.number}</span>
                        <Link to={projectPath(project.id, 'tasks', task.id)} className="table__primary truncate">
                          {task.title}
                        </Link>
                      </span>
                    </td>
                    <td>
                      <TaskStatusBadge status={task.status} />
                    </td>
                    <td>
                      <PriorityTag priority={task.priority} />
                    </td>
                    <td className="muted">{task.dependsOn.length ? task.dependsOn.map((d) => `#${m[d.taskId]?.number ?? '?'}${d.condition === 'success' ? '' : ` (${d.condition})`}`).join(', ') : '—'}</td>
                    <td>
                      {r ? (
                        <span className="progress" title={`${r.done} of ${r.total} done`}>
                          <span className="progress__bar" style={{ width: `${r.total ? (r.done / r.total) * 100 : 0}%` }} />
                          <span className="progress__text">
                            {r.done}/{r.total}
                          </span>
                        </span>
                      ) : (
                        <span className="muted">{task.attemptCount ? `${task.attemptCount} attempt${task.attemptCount > 1 ? 's' : ''}` : ''}</span>
                      )}
                    </td>
                    <td>
                      {canAct && (
                        <button type="button" className="icon-btn icon-btn--sm" title="Add a subtask" aria-label={`Add a subtask to #${task.number}`} onClick={() => setCreating({ parentId: task.id })}>
                          <PlusIcon size={13} />
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <TaskFormDrawer open={!!creating} parentId={creating?.parentId} onClose={() => setCreating(null)} />
    </div>
  );
}
