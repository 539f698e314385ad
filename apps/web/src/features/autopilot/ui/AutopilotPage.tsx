import { useMemo, useState } from 'react';
import type { AutopilotStatus, SessionView, TemplateView } from '@baton/contracts';
import { describeError } from '../../../api/http';
import { Link } from '../../../app/router';
import { projectPath } from '../../../app/routes';
import { usePolled } from '../../../live/use-live';
import { SessionStatusBadge, TaskStatusBadge } from '../../../shared/ui/Badges';
import { ErrorBanner } from '../../../shared/ui/Banner';
import { AlertIcon } from '../../../shared/ui/icons';
import { toast } from '../../../shared/ui/toast';
import { hasRole } from '../../auth/model/session';
import { useMe } from '../../auth/model/use-session';
import { useProjectWindow } from '../../project/model/project-context';
import { sessionsApi } from '../../sessions/model/sessions-api';
import { autopilotApi } from '../model/autopilot-api';
import { dagRows } from '../model/dag-rows';
import { MergeTrainPanel } from './MergeTrainPanel';

const STATE_LABEL: Record<AutopilotStatus['state'], string> = { off: 'Off', running: 'Running', paused: 'Paused' };

/**
 * The autopilot of a project: its state and settings, the DAG as it executes (where each
 * task runs, what it waits on, what holds it), what needs a person, and its latest decisions.
 * Refreshed whenever the project's tasks or sessions change (they arrive live).
 */
export function AutopilotPage() {
  const { project, tasks, sessions } = useProjectWindow();
  const canAct = hasRole(useMe(), 'operator');
  const version = JSON.stringify([Object.values(tasks.data ?? {}).map((t) => t.status), Object.values(sessions.data ?? {}).map((s) => s.status)]);
  const status = usePolled<AutopilotStatus>((s) => autopilotApi.status(project.id, s), `${project.id}|${version}`, 3_000);
  const templates = usePolled<TemplateView[]>((s) => sessionsApi.templates(project.id, s), project.id);
  const templateName = (id: string) => templates.data?.find((t) => t.id === id)?.spec.name ?? id;
  const [busy, setBusy] = useState(false);
  const byAttempt = useMemo(() => {
    const m = new Map<string, SessionView>();
    for (const s of Object.values(sessions.data ?? {})) if (s.attemptId && (!m.has(s.attemptId) || s.createdAt > m.get(s.attemptId)!.createdAt)) m.set(s.attemptId, s);
    return m;
  }, [sessions.data]);

  const act = async (what: string, fn: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await fn();
      toast(what, 'ok');
      status.reload();
    } catch (e) {
      toast(describeError(e), 'error');
    } finally {
      setBusy(false);
    }
  };

  const s = status.data;
  const number = (id: string) => s?.tasks.find((t) => t.taskId === id)?.number;
  return (
    <div className="page page--wide">
      <header className="page__header">
        <div>
          <div className="page__title-row">
            <h1 className="page__title">Autopilot</h1>
            {s && (
              <span className={`pill pill--${s.state === 'running' ? 'ok' : s.state === 'paused' ? 'warn' : 'muted'}`} data-testid="autopilot-state">
                {STATE_LABEL[s.state]}
              </span>
            )}
          </div>
          <p className="page__subtitle">
            Ready tasks start on their own, failures retry as new attempts, completed work is {s?.settings.onSuccess === 'review' ? 'left in review' : 'merged'}.
            {s && ` Runs “${templateName(s.settings.sessionTemplateId)}” · up to ${s.settings.maxAttempts} attempt(s) per task.`}
          </p>
        </div>
        {canAct && s && (
          <div className="page__actions">
            {s.state === 'off' && (
              <button type="button" className="btn btn--primary" disabled={busy} data-testid="autopilot-on" onClick={() => act('Autopilot on', () => autopilotApi.configure(project.id, { enabled: true }))}>
                Switch on
              </button>
            )}
            {s.state === 'running' && (
              <button type="button" className="btn btn--ghost" disabled={busy} onClick={() => act('Autopilot paused', () => autopilotApi.pause(project.id, false))}>
                Pause
              </button>
            )}
            {s.state === 'paused' && (
              <button type="button" className="btn btn--primary" disabled={busy} onClick={() => act('Autopilot resumed', () => autopilotApi.resume(project.id))}>
                Resume
              </button>
            )}
            {s.state !== 'off' && (
              <>
                <button type="button" className="btn btn--danger" disabled={busy} onClick={() => act('Stopped everything the autopilot ran', () => autopilotApi.pause(project.id, true))}>
                  Stop all
                </button>
                <button type="button" className="btn btn--ghost" disabled={busy} onClick={() => act('Autopilot off', () => autopilotApi.configure(project.id, { enabled: false }))}>
                  Switch off
                </button>
              </>
            )}
          </div>
        )}
      </header>

      {status.error && <ErrorBanner>{status.error}</ErrorBanner>}

      {s && s.needsInput.length > 0 && (
        <div className="banner banner--error" role="alert" data-testid="autopilot-needs-input">
          <AlertIcon className="banner__icon" />
          <div>
            <strong>Needs input.</strong>
            {s.needsInput.map((n) => (
              <div key={n.attemptId}>
                #{number(n.taskId)}: {n.message} — the subtree of #{number(n.heldTaskId)} waits. Resolve it in a session of attempt{' '}
                <Link to={projectPath(project.id, 'review', n.attemptId)}>{n.attemptId}</Link>
                {canAct && (
                  <>
                    {' '}
                    or{' '}
                    <button type="button" className="btn btn--ghost btn--small" disabled={busy} onClick={() => act('Merge requested', () => autopilotApi.merge(n.taskId))}>
                      merge again
                    </button>
                  </>
                )}
              </div>
            ))}
          </div>
        </div>
      )}

      <section className="section">
        <h2 className="section-label">The DAG as it runs</h2>
        <div className="table-wrap">
          <table className="table" data-testid="autopilot-tasks">
            <thead>
              <tr>
                <th>Task</th>
                <th>Status</th>
                <th>Where</th>
                <th>Waiting on</th>
                <th>Attempts</th>
                <th>Held</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {s &&
                dagRows(s.tasks).map(({ task: t, depth }) => {
                  const session = t.activeAttemptId ? byAttempt.get(t.activeAttemptId) : undefined;
                  return (
                    <tr key={t.taskId} className="table__row" data-testid="autopilot-task">
                      <td style={{ paddingLeft: 12 + depth * 18 }}>
                        <Link to={projectPath(project.id, 'task', t.taskId)}>
                          #{t.number} {t.title}
                        </Link>
                      </td>
                      <td>
                        <TaskStatusBadge status={t.status} />
                      </td>
                      <td>
                        {session ? (
                          <Link to={projectPath(project.id, 'session', session.id)}>
                            <SessionStatusBadge status={session.status} /> {session.runnerId ?? session.lastRunnerId ?? 'waiting for a runner'}
                          </Link>
                        ) : t.planning ? (
                          'planning'
                        ) : (
                          '—'
                        )}
                      </td>
                      <td>{t.waitingOn.length && (t.status === 'todo' || t.status === 'blocked') ? t.waitingOn.map((id) => `#${number(id) ?? '?'}`).join(', ') : '—'}</td>
                      <td>
                        {t.attempts}
                        {t.failures ? ` (${t.failures} failed${t.gaveUp ? ', gave up' : ''})` : ''}
                      </td>
                      <td>{t.hold ? `${t.hold.replace('_', ' ')}${t.heldBy !== t.taskId ? ` (via #${number(t.heldBy ?? '') ?? '?'})` : ''}` : '—'}</td>
                      <td>
                        {canAct && t.hold === 'plan_review' && t.heldBy === t.taskId && (
                          <>
                            <button type="button" className="btn btn--primary btn--small" disabled={busy} onClick={() => act('Plan accepted', () => autopilotApi.reviewPlan(t.taskId, true))}>
                              Accept plan
                            </button>{' '}
                            <button type="button" className="btn btn--ghost btn--small" disabled={busy} onClick={() => act('Plan rejected', () => autopilotApi.reviewPlan(t.taskId, false))}>
                              Reject
                            </button>
                          </>
                        )}
                        {canAct && !t.planning && !t.activeAttemptId && t.attempts === 0 && ['todo', 'ready'].includes(t.status) && !s.tasks.some((c) => c.parentId === t.taskId) && (
                          <button type="button" className="btn btn--ghost btn--small" disabled={busy} onClick={() => act('Planner started', () => autopilotApi.decompose(t.taskId))}>
                            Decompose
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
            </tbody>
          </table>
        </div>
      </section>

      <MergeTrainPanel projectId={project.id} version={version} canAct={canAct} busy={busy} act={act} />

      <section className="section">
        <h2 className="section-label">Latest decisions</h2>
        <ol className="decisions" data-testid="autopilot-decisions">
          {s?.decisions
            .slice(-30)
            .reverse()
            .map((d) => (
              <li key={d.seq}>
                <span className="mono">{d.at.slice(11, 19)}</span> {d.taskId ? `#${number(d.taskId) ?? '?'} ` : ''}
                {d.summary}
              </li>
            ))}
        </ol>
      </section>
    </div>
  );
}
