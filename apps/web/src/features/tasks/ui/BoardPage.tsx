import { useMemo, useState } from 'react';
import type { SessionView } from '@baton/contracts';
import { describeError } from '../../../api/http';
import { ErrorBanner } from '../../../shared/ui/Banner';
import { Dialog } from '../../../shared/ui/Dialog';
import { PlusIcon } from '../../../shared/ui/icons';
import { toast } from '../../../shared/ui/toast';
import { hasRole } from '../../auth/model/session';
import { useMe } from '../../auth/model/use-session';
import { useProjectWindow } from '../../project/model/project-context';
import { isLive } from '../../sessions/model/sessions.store';
import { tasksApi } from '../model/tasks-api';
import { BOARD_COLUMNS, boardColumns, planStatusMove, TASK_STATUS_LABEL, type TaskStatus } from '../model/tasks.store';
import { TaskCard } from './TaskCard';
import { TaskFormDrawer } from './TaskFormDrawer';

/** The newest live session of each task (or the newest one at all). */
export function sessionsByTask(sessions: readonly SessionView[]): Map<string, SessionView> {
  const out = new Map<string, SessionView>();
  const sorted = [...sessions].sort((a, b) => Number(isLive(a)) - Number(isLive(b)) || (a.createdAt < b.createdAt ? -1 : 1));
  for (const s of sorted) for (const t of s.taskIds) out.set(t, s);
  return out;
}

export function BoardPage() {
  const { tasks, sessions } = useProjectWindow();
  const me = useMe();
  const canAct = hasRole(me, 'operator');
  const [creating, setCreating] = useState(false);
  const [over, setOver] = useState<TaskStatus | null>(null);
  const [failing, setFailing] = useState<{ id: string; number: number } | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const m = tasks.data ?? {};
  const cols = useMemo(() => boardColumns(m), [m]);
  const byTask = useMemo(() => sessionsByTask(Object.values(sessions.data ?? {})), [sessions.data]);

  const drop = async (id: string, to: TaskStatus) => {
    const task = m[id];
    if (!task) return;
    const plan = planStatusMove(task, to);
    if (plan.kind === 'none') return;
    if (plan.kind === 'refused') {
      toast(plan.message, 'error');
      return;
    }
    if (plan.needsReason) {
      setReason('');
      setFailing({ id, number: task.number });
      return;
    }
    try {
      await tasksApi.verb(id, plan.verb);
    } catch (e) {
      toast(`${plan.label}: ${describeError(e)}`, 'error');
    }
  };
  const fail = async () => {
    if (!failing) return;
    setBusy(true);
    try {
      await tasksApi.verb(failing.id, 'fail', reason);
      setFailing(null);
    } catch (e) {
      toast(describeError(e), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page page--full">
      <header className="page__header">
        <div>
          <h1 className="page__title">Board</h1>
          <p className="page__subtitle">Every task that is work (not a parent), by status. Drag a card to complete, fail, cancel or reopen it.</p>
        </div>
        <div className="page__actions">
          <button type="button" className="btn btn--primary" onClick={() => setCreating(true)} disabled={!canAct}>
            <PlusIcon /> New task
          </button>
        </div>
      </header>
      {tasks.error && <ErrorBanner>Could not load the tasks. {tasks.error}</ErrorBanner>}
      <div className="board" data-testid="board">
        {BOARD_COLUMNS.map((status) => (
          <section
            key={status}
            className={`board__col board__col--${status}${over === status ? ' board__col--over' : ''}`}
            onDragOver={(e) => {
              if (!canAct) return;
              e.preventDefault();
              e.dataTransfer.dropEffect = 'move';
              if (over !== status) setOver(status);
            }}
            onDragLeave={(e) => {
              if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node)) setOver(null);
            }}
            onDrop={(e) => {
              e.preventDefault();
              setOver(null);
              const id = e.dataTransfer.getData('text/x-baton-task');
              if (id) void drop(id, status);
            }}
            data-testid={`column-${status}`}
            aria-label={TASK_STATUS_LABEL[status]}
          >
            <header className="board__head">
              <span className={`dot dot--task-${status}`} />
              <span className="board__title">{TASK_STATUS_LABEL[status]}</span>
              <span className="board__count">{cols[status].length}</span>
            </header>
            <div className="board__cards">
              {tasks.data === null && status === 'todo' && [0, 1, 2].map((i) => <div key={i} className="tcard tcard--skeleton skeleton" />)}
              {cols[status].map((t) => (
                <TaskCard key={t.id} task={t} tasks={m} session={byTask.get(t.id)} draggable={canAct} />
              ))}
            </div>
          </section>
        ))}
      </div>
      <TaskFormDrawer open={creating} onClose={() => setCreating(false)} />
      <Dialog
        open={!!failing}
        title={failing ? `Fail #${failing.number}` : ''}
        onClose={() => setFailing(null)}
        footer={
          <>
            <button type="button" className="btn btn--ghost" onClick={() => setFailing(null)}>
              Cancel
            </button>
            <button type="button" className="btn btn--danger" onClick={() => void fail()} disabled={busy}>
              Fail task
            </button>
          </>
        }
      >
        <label className="field__label" htmlFor="fail-reason">
          Why did it fail?
        </label>
        <textarea id="fail-reason" className="input textarea" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="The API needs a reason." />
      </Dialog>
    </div>
  );
}
