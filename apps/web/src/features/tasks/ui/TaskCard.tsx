import type { SessionView, TaskView } from '@baton/contracts';
import { Link } from '../../../app/router';
import { projectPath } from '../../../app/routes';
import { PriorityTag, SessionStatusBadge } from '../../../shared/ui/Badges';
import type { TaskMap } from '../model/tasks.store';

interface Props {
  task: TaskView;
  tasks: TaskMap;
  session?: SessionView;
  draggable?: boolean;
  onDragStart?: (id: string) => void;
}

export function TaskCard({ task, tasks, session, draggable, onDragStart }: Props) {
  const waits = task.dependsOn.filter((d) => tasks[d.taskId] && tasks[d.taskId].status !== 'done');
  return (
    <article
      className={`tcard tcard--${task.status}`}
      draggable={draggable}
      onDragStart={(e) => {
        e.dataTransfer.setData('text/x-baton-task', task.id);
        e.dataTransfer.effectAllowed = 'move';
        onDragStart?.(task.id);
      }}
      data-testid="task-card"
      data-task={task.id}
      data-status={task.status}
    >
      <div className="tcard__top">
        <span className="tcard__num mono">#{task.number}</span>
        <PriorityTag priority={task.priority} />
        {task.executionMode === 'autonomous' && <span className="tag">auto</span>}
        {session && <SessionStatusBadge status={session.status} />}
      </div>
      <Link to={projectPath(task.projectId, 'tasks', task.id)} className="tcard__title" draggable={false}>
        {task.title}
      </Link>
      {(task.labels.length > 0 || waits.length > 0 || task.dependants.length > 0 || task.blockedBy) && (
        <div className="tcard__meta">
          {task.labels.slice(0, 3).map((l) => (
            <span key={l} className="chip chip--xs">
              {l}
            </span>
          ))}
          {task.blockedBy && <span className="tcard__dep tcard__dep--blocked">blocked by {task.blockedBy.map((b) => `#${tasks[b.taskId]?.number ?? '?'}`).join(', ')}</span>}
          {!task.blockedBy && waits.length > 0 && <span className="tcard__dep">waits for {waits.map((d) => `#${tasks[d.taskId].number}`).join(', ')}</span>}
          {task.dependants.length > 0 && <span className="tcard__dep tcard__dep--out">→ {task.dependants.length} after it</span>}
        </div>
      )}
      {session?.status === 'needs_input' && session.lastMessage && <p className="tcard__ask">“{session.lastMessage}”</p>}
    </article>
  );
}
