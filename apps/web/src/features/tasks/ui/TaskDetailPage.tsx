import { useEffect, useMemo, useState } from 'react';
import type { AttemptMessage, AttemptView, TaskUnblocks, TemplateView } from '@baton/contracts';
import { liveRoom } from '../../../live/rooms';
import { describeError, isApiError } from '../../../api/http';
import { Link, navigate } from '../../../app/router';
import { projectPath } from '../../../app/routes';
import { useLiveEvents, usePolled } from '../../../live/use-live';
import { formatDateTime } from '../../../shared/lib/time';
import { ErrorBanner } from '../../../shared/ui/Banner';
import { PriorityTag, SessionStatusBadge, TaskStatusBadge } from '../../../shared/ui/Badges';
import { Dialog } from '../../../shared/ui/Dialog';
import { ArrowLeftIcon, BranchIcon, PlayIcon, PlusIcon, ReviewIcon } from '../../../shared/ui/icons';
import { RelativeTime } from '../../../shared/ui/RelativeTime';
import { toast } from '../../../shared/ui/toast';
import { hasRole } from '../../auth/model/session';
import { useMe } from '../../auth/model/use-session';
import { useProjectWindow } from '../../project/model/project-context';
import { DEMO_AGENT_TEMPLATE, sessionsApi } from '../../sessions/model/sessions-api';
import { formatUsd, sortSessions } from '../../sessions/model/sessions.store';
import { tasksApi, type TaskVerb } from '../model/tasks-api';
import { FINISHED } from '../model/tasks.store';
import { TaskFormDrawer } from './TaskFormDrawer';

/** The session the sessions service starts for a new attempt (it names the attempt). */
async function firstSessionOf(attemptId: string, timeoutMs = 20_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const page = await sessionsApi.list({ attemptId, limit: 1 });
    if (page.items[0]) return page.items[0].id;
    if (Date.now() > until) throw new Error('the attempt started, but its session did not appear in time; see Sessions');
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function TaskDetailPage({ taskId }: { taskId: string }) {
  const { project, tasks, sessions } = useProjectWindow();
  const canAct = hasRole(useMe(), 'operator');
  const task = tasks.data?.[taskId];
  const m = tasks.data ?? {};
  const [editing, setEditing] = useState(false);
  const [subtask, setSubtask] = useState(false);
  const [failing, setFailing] = useState(false);
  const [reason, setReason] = useState('');
  const [starting, setStarting] = useState(false);
  const [templateId, setTemplateId] = useState(DEMO_AGENT_TEMPLATE);
  const [prompt, setPrompt] = useState('');
  const [pickedAttempt, setPickedAttempt] = useState<string | null>(null);

  // Reads that follow the task: read again, at least as new as its last event, when it changes.
  const [taskSeq, setTaskSeq] = useState(0);
  const [msgSeq, setMsgSeq] = useState(0);
  useLiveEvents([liveRoom.project(project.id)], (msg) => {
    const e = msg.event;
    if (e.type === 'task.attempt_message_added' && e.aggregate.id === taskId) setMsgSeq(msg.seq);
    else if (e.aggregate.type === 'project' && (e.data as { taskId?: string }).taskId === taskId) setTaskSeq(msg.seq);
  });
  const attempts = usePolled<{ items: AttemptView[] }>((s) => tasksApi.attempts(taskId, taskSeq, s), `${taskId}|${taskSeq}`);
  const unblocks = usePolled<TaskUnblocks>((s) => tasksApi.unblocks(taskId, taskSeq, s), `${taskId}|${taskSeq}|u`);
  const templates = usePolled<TemplateView[]>((s) => sessionsApi.templates(project.id, s), project.id);
  const list = attempts.data?.items ?? [];
  // Only attempts the read model already has (a brand-new one appears with the next read).
  const attemptId = (pickedAttempt && list.some((a) => a.id === pickedAttempt) ? pickedAttempt : null) ?? list.find((a) => a.id === task?.activeAttemptId)?.id ?? list[list.length - 1]?.id ?? null;
  const attempt = list.find((a) => a.id === attemptId);
  const messages = usePolled<{ items: AttemptMessage[] }>(
    (s) => (attemptId ? tasksApi.messages(attemptId, Math.max(msgSeq, taskSeq), s) : Promise.resolve({ items: [] })),
    `${attemptId}|${msgSeq}`,
  );
  const taskSessions = useMemo(() => sortSessions(Object.values(sessions.data ?? {}).filter((s) => s.taskIds.includes(taskId))), [sessions.data, taskId]);
  useEffect(() => setPickedAttempt(null), [task?.activeAttemptId]);

  if (!task) {
    return (
      <div className="page">
        {tasks.data === null ? <span className="skeleton skeleton--title" /> : <div className="empty"><h2 className="empty__title">Task not found</h2><p className="empty__text">It may have been removed.</p></div>}
      </div>
    );
  }

  const run = async (verb: TaskVerb, why?: string) => {
    try {
      await tasksApi.verb(task.id, verb, why);
      toast(`#${task.number}: ${verb} sent`, 'ok', 2_000);
      return true;
    } catch (e) {
      toast(describeError(e), 'error');
      return false;
    }
  };
  const start = async () => {
    setStarting(true);
    try {
      let sessionId: string;
      if (!task.activeAttemptId) {
        // An attempt started with a template gets its first session from the sessions service.
        const attempt = (await tasksApi.startAttempt(task.id, { sessionTemplateId: templateId })).id;
        sessionId = await firstSessionOf(attempt);
        if (prompt.trim()) await sessionsApi.followUp(attempt, prompt.trim(), null);
      } else {
        try {
          sessionId = (await sessionsApi.spawnInAttempt(task.activeAttemptId, templateId, prompt.trim() || undefined)).id;
        } catch (e) {
          const running = isApiError(e) && e.code === 'conflict' ? e.details.runningSessionId : undefined;
          if (typeof running !== 'string') throw e;
          toast('A session already runs in this attempt: opening it', 'info', 3_000);
          sessionId = running;
        }
      }
      navigate(projectPath(project.id, 'sessions', sessionId));
    } catch (e) {
      toast(describeError(e), 'error', 8_000);
    } finally {
      setStarting(false);
    }
  };
  const usage = taskSessions.reduce((n, s) => n + s.usage.costUsd, 0);

  return (
    <div className="page page--wide">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={projectPath(project.id, 'tasks')} className="crumbs__back">
          <ArrowLeftIcon size={14} /> Tasks
        </Link>
        {task.parentId && m[task.parentId] && (
          <Link to={projectPath(project.id, 'tasks', task.parentId)} className="crumbs__back">
            / #{m[task.parentId].number} {m[task.parentId].title}
          </Link>
        )}
      </nav>
      <header className="page__header">
        <div>
          <div className="page__title-row">
            <span className="mono muted page__num">#{task.number}</span>
            <h1 className="page__title" data-testid="task-title">
              {task.title}
            </h1>
            <TaskStatusBadge status={task.status} />
            <PriorityTag priority={task.priority} />
          </div>
          <p className="page__subtitle">
            {task.executionMode} · created <RelativeTime iso={task.createdAt} /> · {task.attemptCount} attempt{task.attemptCount === 1 ? '' : 's'} · {task.sessionCount} session{task.sessionCount === 1 ? '' : 's'}
            {usage > 0 && ` · ${formatUsd(usage)}`}
            {task.labels.map((l) => (
              <span key={l} className="chip chip--xs">
                {l}
              </span>
            ))}
          </p>
        </div>
        {canAct && (
          <div className="page__actions">
            <button type="button" className="btn btn--ghost" onClick={() => setEditing(true)}>
              Edit
            </button>
            {task.childCount === 0 && !FINISHED.has(task.status) && (
              <>
                <button type="button" className="btn btn--ghost" onClick={() => void run('complete')} disabled={!!task.activeAttemptId} title={task.activeAttemptId ? 'Merge or abandon its attempt first' : undefined}>
                  Mark done
                </button>
                <button type="button" className="btn btn--ghost" onClick={() => { setReason(''); setFailing(true); }}>
                  Fail
                </button>
                <button type="button" className="btn btn--ghost" onClick={() => void run('cancel')}>
                  Cancel
                </button>
              </>
            )}
            {FINISHED.has(task.status) && (
              <button type="button" className="btn btn--ghost" onClick={() => void run('reopen')}>
                Reopen
              </button>
            )}
          </div>
        )}
      </header>

      {task.blockedBy && (
        <ErrorBanner>
          Blocked: {task.blockedBy.map((b) => `#${m[b.taskId]?.number ?? b.taskId} is ${b.status} (needed ${b.condition})`).join('; ')}. Reopen it, or remove the dependency.
        </ErrorBanner>
      )}

      <div className="task-grid">
        <div className="task-grid__main">
          <section className="card">
            <h2 className="card__title">Description</h2>
            {task.description ? <p className="prose">{task.description}</p> : <p className="muted">No description.</p>}
            <h3 className="section-label">Acceptance criteria</h3>
            {task.acceptanceCriteria.length ? (
              <ul className="checklist" data-testid="criteria">
                {task.acceptanceCriteria.map((c, i) => (
                  <li key={i} className={task.status === 'done' ? 'checklist__done' : ''}>
                    {c}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">None.</p>
            )}
          </section>

          <section className="card">
            <div className="card__head">
              <h2 className="card__title">Attempts</h2>
              {attempt?.status === 'in_review' || (attempt && attempt.status === 'active') ? (
                <Link className="btn btn--sm btn--ghost" to={projectPath(project.id, 'review', attempt.id)}>
                  <ReviewIcon size={13} /> Review diff
                </Link>
              ) : null}
            </div>
            {list.length === 0 ? (
              <p className="muted">No attempt yet. Start a session: it opens an attempt with its own branch and worktree.</p>
            ) : (
              <div className="attempts">
                {list.map((a) => (
                  <button key={a.id} type="button" className={`attempt${a.id === attemptId ? ' attempt--on' : ''}`} onClick={() => setPickedAttempt(a.id)} data-testid="attempt">
                    <span className="attempt__n">Attempt {a.number}</span>
                    <span className={`pill pill--attempt-${a.status}`}>{a.status.replace('_', ' ')}</span>
                    <span className="branch mono">
                      <BranchIcon size={12} /> {a.branch}
                    </span>
                    <span className="muted attempt__meta">
                      prompt {a.promptVersionId ? <span className="mono">{a.promptVersionId.slice(-8)}</span> : 'none'} · {a.sessionCount} session{a.sessionCount === 1 ? '' : 's'} · <RelativeTime iso={a.startedAt} />
                    </span>
                  </button>
                ))}
              </div>
            )}
            {attempt && (
              <>
                <h3 className="section-label">
                  Conversation of attempt {attempt.number} <span className="muted">· {messages.data?.items.length ?? 0} messages across its sessions</span>
                </h3>
                <ol className="messages" data-testid="messages">
                  {(messages.data?.items ?? []).map((msg) => (
                    <li key={msg.id} className={`message message--${msg.role}`}>
                      <div className="message__head">
                        <span className="message__role">{msg.role}</span>
                        <span className="muted">{msg.kind.replace('_', ' ')}</span>
                        <span className="muted message__at" title={formatDateTime(msg.at)}>
                          <RelativeTime iso={msg.at} />
                        </span>
                      </div>
                      <p className="message__text">{msg.text}</p>
                    </li>
                  ))}
                  {messages.data?.items.length === 0 && <li className="muted">No messages yet.</li>}
                </ol>
              </>
            )}
          </section>
        </div>

        <aside className="task-grid__side">
          {canAct && task.childCount === 0 && (
            <section className="card card--accent">
              <h2 className="card__title">Run an agent</h2>
              <label className="field__label" htmlFor="tpl">
                Template
              </label>
              <select id="tpl" className="input" value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
                {(templates.data ?? [{ id: DEMO_AGENT_TEMPLATE, name: DEMO_AGENT_TEMPLATE } as TemplateView]).map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                    {t.id === DEMO_AGENT_TEMPLATE ? ' (demo)' : ''}
                  </option>
                ))}
              </select>
              <label className="field__label" htmlFor="prompt" style={{ marginTop: 10 }}>
                Extra prompt <span className="field__optional">optional</span>
              </label>
              <textarea id="prompt" className="input textarea" rows={2} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
              <button type="button" className="btn btn--primary btn--block" style={{ marginTop: 12 }} onClick={() => void start()} disabled={starting || FINISHED.has(task.status)} data-testid="start-session">
                {starting ? <span className="spinner" aria-hidden="true" /> : <PlayIcon size={13} />}
                {task.activeAttemptId ? 'Start session in attempt' : 'Start session'}
              </button>
              <p className="field__hint">{task.activeAttemptId ? 'Continues the active attempt (same branch, same conversation).' : 'Opens an attempt with its own branch and worktree.'}</p>
            </section>
          )}
          <section className="card">
            <h2 className="card__title">Sessions</h2>
            {taskSessions.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <ul className="mini-list">
                {taskSessions.map((s) => (
                  <li key={s.id}>
                    <Link to={projectPath(project.id, 'sessions', s.id)} className="mini-list__row">
                      <SessionStatusBadge status={s.status} />
                      <span className="truncate">{s.templateName} <span className="mono muted">{s.id.slice(-6)}</span></span>
                      <span className="muted mini-list__meta">
                        <RelativeTime iso={s.createdAt} />
                      </span>
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="card">
            <h2 className="card__title">Dependencies</h2>
            <h3 className="section-label">Waits for</h3>
            {task.dependsOn.length ? (
              <ul className="dep-list">
                {task.dependsOn.map((d) => (
                  <li key={d.taskId}>
                    <Link to={projectPath(project.id, 'tasks', d.taskId)}>
                      <span className="mono muted">#{m[d.taskId]?.number ?? '?'}</span> {m[d.taskId]?.title ?? d.taskId}
                    </Link>
                    {m[d.taskId] && <TaskStatusBadge status={m[d.taskId].status} />}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">Nothing.</p>
            )}
            <h3 className="section-label">Finishing it would unblock</h3>
            {unblocks.data?.tasks.length ? (
              <ul className="dep-list" data-testid="task-unblocks">
                {unblocks.data.tasks.map((t) => (
                  <li key={t.id}>
                    <Link to={projectPath(project.id, 'tasks', t.id)}>
                      <span className="mono muted">#{t.number}</span> {t.title}
                    </Link>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">{task.dependants.length ? 'Tasks after it still wait for others too.' : 'No task waits for it.'}</p>
            )}
            {canAct && (
              <button type="button" className="btn btn--ghost btn--sm" style={{ marginTop: 10 }} onClick={() => setSubtask(true)}>
                <PlusIcon size={13} /> Add subtask
              </button>
            )}
          </section>
        </aside>
      </div>

      <TaskFormDrawer open={editing} task={task} onClose={() => setEditing(false)} />
      <TaskFormDrawer open={subtask} parentId={task.id} onClose={() => setSubtask(false)} />
      <Dialog
        open={failing}
        title={`Fail #${task.number}`}
        onClose={() => setFailing(false)}
        footer={
          <>
            <button type="button" className="btn btn--ghost" onClick={() => setFailing(false)}>
              Cancel
            </button>
            <button type="button" className="btn btn--danger" onClick={() => void run('fail', reason).then((ok) => ok && setFailing(false))}>
              Fail task
            </button>
          </>
        }
      >
        <label className="field__label" htmlFor="fail-why">
          Why did it fail?
        </label>
        <textarea id="fail-why" className="input textarea" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Dialog>
    </div>
  );
}
