import type { SessionView, TaskView } from '@baton/contracts';
import { SESSION_STATUS } from '../../features/sessions/model/sessions.store';
import { TASK_STATUS_LABEL } from '../../features/tasks/model/tasks.store';

export function TaskStatusBadge({ status }: { status: TaskView['status'] }) {
  return (
    <span className={`pill pill--task-${status}`} data-status={status}>
      {TASK_STATUS_LABEL[status]}
    </span>
  );
}

export function SessionStatusBadge({ status, title }: { status: SessionView['status']; title?: string }) {
  const s = SESSION_STATUS[status];
  return (
    <span className={`pill pill--${s.tone}${s.pulse ? ' pill--pulse' : ''}`} data-status={status} title={title} data-testid="session-status">
      {s.label}
    </span>
  );
}

export function PriorityTag({ priority }: { priority: number }) {
  return <span className={`prio prio--${priority}`}>P{priority}</span>;
}
