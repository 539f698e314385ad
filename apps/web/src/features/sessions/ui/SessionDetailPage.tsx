import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { SessionView } from '@baton/contracts';
import { describeError } from '../../../api/http';
import { Link, navigate } from '../../../app/router';
import { projectPath } from '../../../app/routes';
import { formatDateTime } from '../../../shared/lib/time';
import { SessionStatusBadge } from '../../../shared/ui/Badges';
import { ArrowLeftIcon, ReplayIcon, RefreshIcon, ReviewIcon, SendIcon, StopIcon } from '../../../shared/ui/icons';
import { RelativeTime } from '../../../shared/ui/RelativeTime';
import { toast } from '../../../shared/ui/toast';
import { hasRole } from '../../auth/model/session';
import { useMe } from '../../auth/model/use-session';
import { useProjectWindow } from '../../project/model/project-context';
import { domainOf, formatDuration, sessionLanes } from '../../timeline/model/gantt';
import { useNow, useSessionTimeline } from '../../timeline/model/use-timelines';
import { Gantt } from '../../timeline/ui/Gantt';
import { sessionsApi } from '../model/sessions-api';
import { FINAL_STATUSES, formatTokens, formatUsd, isLive, sessionLabel } from '../model/sessions.store';
import { TerminalView } from './TerminalView';

function Prop({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="props__row">
      <dt className="props__label">{label}</dt>
      <dd className="props__value">{children}</dd>
    </div>
  );
}

async function waitEnded(id: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const s = await sessionsApi.get(id);
    if (FINAL_STATUSES.has(s.status)) return;
    await new Promise((r) => setTimeout(r, 400));
  }
  throw new Error('the session did not stop in time');
}

/** Run the same template again, in the same attempt (or with the same tasks). */
async function runAgain(s: SessionView): Promise<string> {
  if (s.attemptId) return (await sessionsApi.spawnInAttempt(s.attemptId, s.templateId)).id;
  return (await sessionsApi.spawnInProject(s.projectId, { templateId: s.templateId, taskIds: s.taskIds, name: s.name })).id;
}

export function SessionDetailPage({ sessionId }: { sessionId: string }) {
  const { project, sessions, tasks } = useProjectWindow();
  const canAct = hasRole(useMe(), 'operator');
  const s = sessions.data?.[sessionId];
  const timeline = useSessionTimeline(project.id, sessionId);
  const live = s ? isLive(s) : false;
  const now = useNow(1_000, live);
  const [text, setText] = useState('');
  const [followUp, setFollowUp] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const m = tasks.data ?? {};
  const end = s?.endedAt ? Date.parse(s.endedAt) : now;
  const lanes = useMemo(
    () => (timeline.data ? sessionLanes(timeline.data, end, (id) => (m[id] ? `#${m[id].number} ${m[id].title}` : id.slice(-8))) : []),
    [timeline.data, end, m],
  );
  const workers = Object.values(sessions.data ?? {}).filter((x) => x.parentSessionId === sessionId);

  if (!s) {
    return (
      <div className="page">
        {sessions.data === null ? <span className="skeleton skeleton--title" /> : <div className="empty"><h2 className="empty__title">Session not found</h2></div>}
      </div>
    );
  }

  const act = async (what: string, fn: () => Promise<unknown>) => {
    setBusy(what);
    try {
      await fn();
    } catch (e) {
      toast(`${what}: ${describeError(e)}`, 'error', 8_000);
    } finally {
      setBusy(null);
    }
  };
  const send = (e: FormEvent) => {
    e.preventDefault();
    if (!text) return;
    void act('Send', async () => {
      await sessionsApi.input(s.id, text.endsWith('\n') ? text : `${text}\n`);
      setText('');
    });
  };
  const sendFollowUp = (e: FormEvent) => {
    e.preventDefault();
    if (!followUp.trim() || !s.attemptId) return;
    void act('Follow-up', async () => {
      const r = await sessionsApi.followUp(s.attemptId!, followUp, s.templateId);
      setFollowUp('');
      if (r.started && r.sessionId) navigate(projectPath(project.id, 'sessions', r.sessionId));
      else toast('Follow-up sent to the running session', 'ok', 2_500);
    });
  };
  const duration = (s.endedAt ? Date.parse(s.endedAt) : now) - Date.parse(s.createdAt);

  return (
    <div className="page page--full session-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={projectPath(project.id, 'sessions')} className="crumbs__back">
          <ArrowLeftIcon size={14} /> Sessions
        </Link>
        {s.parentSessionId && (
          <Link to={projectPath(project.id, 'sessions', s.parentSessionId)} className="crumbs__back">
            / parent {sessions.data?.[s.parentSessionId] ? sessionLabel(sessions.data[s.parentSessionId], m) : s.parentSessionId.slice(-8)}
          </Link>
        )}
      </nav>
      <header className="page__header">
        <div>
          <div className="page__title-row">
            <h1 className="page__title" data-testid="session-title">
              {sessionLabel(s, m)}
            </h1>
            <SessionStatusBadge status={s.status} title={s.statusReason} />
          </div>
          <p className="page__subtitle">
            <span className="mono">{s.id}</span> · {s.templateName} · {s.role} · {formatDuration(duration)}
            {s.statusReason && <span className="muted"> · {s.statusReason}</span>}
          </p>
        </div>
        {canAct && (
          <div className="page__actions">
            {live && (
              <button type="button" className="btn btn--ghost" onClick={() => void act('Interrupt', () => sessionsApi.input(s.id, '\u0003', 'interrupt'))} disabled={!!busy}>
                Ctrl-C
              </button>
            )}
            {live && (
              <button type="button" className="btn btn--danger" onClick={() => void act('Stop', () => sessionsApi.stop(s.id))} disabled={!!busy} data-testid="stop-session">
                <StopIcon size={12} /> Stop
              </button>
            )}
            <button
              type="button"
              className="btn btn--ghost"
              disabled={!!busy}
              onClick={() =>
                void act('Restart', async () => {
                  if (isLive(s)) {
                    await sessionsApi.stop(s.id, 'restarted from the console');
                    await waitEnded(s.id);
                  }
                  const id = await runAgain(s);
                  navigate(projectPath(project.id, 'sessions', id));
                })
              }
            >
              <RefreshIcon size={13} /> {live ? 'Restart' : 'Run again'}
            </button>
            {!live && (
              <Link className="btn btn--ghost" to={projectPath(project.id, 'replay', s.id)}>
                <ReplayIcon size={13} /> Replay
              </Link>
            )}
            {s.attemptId && (
              <Link className="btn btn--ghost" to={projectPath(project.id, 'review', s.attemptId)}>
                <ReviewIcon size={13} /> Review
              </Link>
            )}
          </div>
        )}
      </header>

      {s.status === 'needs_input' && (
        <div className="ask" role="alert" data-testid="session-asks">
          <strong>The agent is waiting for you.</strong> {s.lastMessage && <span>“{s.lastMessage}”</span>} <span className="muted">Type the answer in the terminal, or send it below.</span>
        </div>
      )}

      <div className="session-grid">
        <div className="session-grid__term">
          <TerminalView sessionId={s.id} mode="steer" interactive={canAct && live} fontSize={13} autoFocus={s.status === 'needs_input' && window.location.hash !== '#answer'} />
          {canAct && live && (
            <form className="sendbar" id="answer" ref={toAnswerBox} onSubmit={send}>
              <input className="input input--mono" placeholder="Send a line to the terminal…" value={text} onChange={(e) => setText(e.target.value)} aria-label="Send to terminal" />
              <button type="submit" className="btn btn--ghost" disabled={!text || !!busy}>
                <SendIcon size={13} /> Send
              </button>
            </form>
          )}
        </div>
        <aside className="session-grid__side">
          <section className="card">
            <dl className="props props--tight">
              <Prop label="Tasks">
                {s.items.length ? (
                  <ul className="dep-list">
                    {s.items.map((i) => (
                      <li key={i.taskId}>
                        <Link to={projectPath(project.id, 'tasks', i.taskId)}>
                          <span className="mono muted">#{m[i.taskId]?.number ?? '?'}</span> {m[i.taskId]?.title ?? i.taskId}
                        </Link>
                        <span className={`pill pill--item-${i.status}`}>{i.status}</span>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <span className="muted">none</span>
                )}
              </Prop>
              <Prop label="Runner">
                <span className="mono">{s.runnerId ?? s.lastRunnerId ?? '—'}</span>
              </Prop>
              <Prop label="Attempt">{s.attemptId ? <span className="mono">{s.attemptId.slice(-10)}</span> : <span className="muted">none</span>}</Prop>
              <Prop label="Runs">
                {s.runs} run{s.runs === 1 ? '' : 's'} · {s.restarts} restart{s.restarts === 1 ? '' : 's'}
                {s.exitCode !== null && ` · exit ${s.exitCode}`}
              </Prop>
              <Prop label="Usage">
                {formatUsd(s.usage.costUsd)} · {formatTokens(s.usage.inputTokens + s.usage.outputTokens)} tokens
              </Prop>
              <Prop label="Started">
                <span title={formatDateTime(s.createdAt)}>
                  <RelativeTime iso={s.createdAt} />
                </span>
              </Prop>
            </dl>
          </section>
          {s.attemptId && canAct && (
            <section className="card">
              <h2 className="card__title">Follow-up</h2>
              <form onSubmit={sendFollowUp}>
                <textarea className="input textarea" rows={3} value={followUp} onChange={(e) => setFollowUp(e.target.value)} placeholder={live ? 'Goes to this session and the attempt’s conversation' : 'Starts a new session in the same attempt with this prompt'} />
                <button type="submit" className="btn btn--primary btn--block" style={{ marginTop: 8 }} disabled={!followUp.trim() || !!busy}>
                  {live ? 'Send follow-up' : 'Continue with a new session'}
                </button>
              </form>
            </section>
          )}
          {(workers.length > 0 || s.workerCount > 0) && (
            <section className="card">
              <h2 className="card__title">Workers</h2>
              <ul className="mini-list">
                {workers.map((w) => (
                  <li key={w.id}>
                    <Link to={projectPath(project.id, 'sessions', w.id)} className="mini-list__row">
                      <SessionStatusBadge status={w.status} />
                      <span className="truncate">{sessionLabel(w, m)}</span>
                    </Link>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </aside>
      </div>
      <section className="card timeline-card">
        <div className="card__head">
          <h2 className="card__title">Timeline</h2>
          <span className="muted">{timeline.data?.timeline.length ?? 0} events</span>
        </div>
        {lanes.length > 0 && <Gantt lanes={lanes} domain={domainOf(lanes, end)} cursor={live ? now : null} />}
      </section>
    </div>
  );
}

/** A notification's link ends in `#answer`: the answer box is shown and focused once it renders (after the session loads). */
function toAnswerBox(form: HTMLFormElement | null): void {
  if (!form || window.location.hash !== '#answer') return;
  form.scrollIntoView({ block: 'center' });
  form.querySelector('input')?.focus();
}
