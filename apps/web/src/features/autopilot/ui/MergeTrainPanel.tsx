import { useState } from 'react';
import type { MergeTrainStatus } from '@baton/contracts';
import { Link } from '../../../app/router';
import { projectPath } from '../../../app/routes';
import { usePolled } from '../../../live/use-live';
import { ErrorBanner } from '../../../shared/ui/Banner';
import { autopilotApi } from '../model/autopilot-api';
import { waitedFor } from '../model/train-rows';

const STATE_PILL: Record<string, string> = { waiting: 'muted', building: 'info', built: 'info', checking: 'warn', landing: 'ok' };

/**
 * The project's merge trains (docs/decisions/0030): one per target branch, its cars in order
 * with what each is doing or why it waits and since when, the batch on its way (and its check
 * session, to watch), cars sent back to be fixed, and the last batches. Operators change the
 * settings here: the check command, how a car is put on the target, batch size, fix rounds.
 */
export function MergeTrainPanel({ projectId, version, canAct, act, busy }: { projectId: string; version: string; canAct: boolean; busy: boolean; act: (what: string, fn: () => Promise<unknown>) => Promise<void> }) {
  const status = usePolled<MergeTrainStatus>((s) => autopilotApi.mergeTrain(projectId, s), `${projectId}|${version}`, 3_000);
  const [editing, setEditing] = useState(false);
  const t = status.data;
  const now = Date.now();
  return (
    <section className="section" data-testid="merge-train">
      <h2 className="section-label">Merge train</h2>
      {status.error && <ErrorBanner>{status.error}</ErrorBanner>}
      {t && (
        <p className="page__subtitle" data-testid="merge-train-settings">
          Completed attempts land in order: each is put on the newest target ({t.settings.integration}),{' '}
          {t.settings.checkCommand ? (
            <>
              checked with <code>{t.settings.checkCommand}</code>,
            </>
          ) : (
            'not checked (no check command),'
          )}{' '}
          and the target moves only as a fast-forward. Up to {t.settings.maxBatch} go together; conflicts and failed checks go back to the {t.settings.fixer}
          {t.settings.fixer === 'agent' ? ` for up to ${t.settings.maxFixRounds} round(s), then to a person` : ''}.{' '}
          {canAct && !editing && (
            <button type="button" className="btn btn--ghost btn--small" onClick={() => setEditing(true)} data-testid="merge-train-edit">
              Change
            </button>
          )}
        </p>
      )}
      {t && editing && <TrainSettingsForm settings={t.settings} busy={busy} onCancel={() => setEditing(false)} onSave={(body) => act('Merge train configured', async () => { await autopilotApi.configureMergeTrain(projectId, body); setEditing(false); status.reload(); })} />}
      {t && t.trains.length === 0 && <p className="muted">No train yet: the first completed attempt starts the train of the branch it started from.</p>}
      {t?.trains.map((train) => (
        <div key={train.target} className="train" data-testid="merge-train-target">
          <h3 className="train__target">
            <code>{train.target}</code>
            {train.batch && (
              <span className="muted">
                {' '}
                · batch {train.batch.number}
                {train.batch.bisecting ? ' (half of a failed batch)' : ''}: {train.batch.phase}
                {train.batch.startedAt ? ` for ${waitedFor(train.batch.startedAt, now)}` : ''}
                {train.batch.checkSessionId && (
                  <>
                    {' '}
                    · <Link to={projectPath(projectId, 'session', train.batch.checkSessionId)}>watch the check</Link>
                  </>
                )}
              </span>
            )}
          </h3>
          <div className="table-wrap">
            <table className="table" data-testid="merge-train-cars">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Task</th>
                  <th>Branch</th>
                  <th>State</th>
                  <th>Why</th>
                  <th>Waiting</th>
                </tr>
              </thead>
              <tbody>
                {train.cars.length === 0 && (
                  <tr>
                    <td colSpan={6} className="muted">
                      No car waiting.
                    </td>
                  </tr>
                )}
                {train.cars.map((c) => (
                  <tr key={c.attemptId} className="table__row" data-testid="merge-train-car">
                    <td>{c.position}</td>
                    <td>
                      <Link to={projectPath(projectId, 'task', c.taskId)}>
                        {c.taskNumber !== null ? `#${c.taskNumber} ` : ''}
                        {c.title}
                      </Link>
                    </td>
                    <td className="mono">{c.branch}</td>
                    <td>
                      <span className={`pill pill--${STATE_PILL[c.state] ?? 'muted'}`}>{c.state}</span>
                    </td>
                    <td>
                      {c.why}
                      {c.rounds ? ` · ${c.rounds} fix round(s)` : ''}
                    </td>
                    <td>{waitedFor(c.joinedAt, now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {train.returned.length > 0 && (
            <ul className="train__returned" data-testid="merge-train-returned">
              {train.returned.map((r) => (
                <li key={r.attemptId}>
                  ↩ <span className="mono">{r.branch}</span> back to {r.toPerson ? <strong>a person</strong> : 'its agent'} ({r.why.replace('_', ' ')}, round {r.round}, {waitedFor(r.at, now)} ago): {r.message}
                  {r.checkSessionId && (
                    <>
                      {' '}
                      · <Link to={projectPath(projectId, 'session', r.checkSessionId)}>the failed check</Link>
                    </>
                  )}{' '}
                  · <Link to={projectPath(projectId, 'review', r.attemptId)}>attempt</Link>
                </li>
              ))}
            </ul>
          )}
          {train.recent.length > 0 && (
            <ol className="decisions">
              {train.recent
                .slice(-5)
                .reverse()
                .map((r) => (
                  <li key={r.batchId}>
                    <span className="mono">{r.at.slice(11, 19)}</span> batch {r.number ?? r.batchId} {r.outcome}
                    {r.commit ? ` at ${r.commit.slice(0, 12)}` : ''}: {r.reason}
                  </li>
                ))}
            </ol>
          )}
        </div>
      ))}
    </section>
  );
}

function TrainSettingsForm({ settings, busy, onSave, onCancel }: { settings: MergeTrainStatus['settings']; busy: boolean; onSave: (body: Record<string, unknown>) => void; onCancel: () => void }) {
  const [check, setCheck] = useState(settings.checkCommand ?? '');
  const [integration, setIntegration] = useState(settings.integration);
  const [maxBatch, setMaxBatch] = useState(String(settings.maxBatch));
  const [rounds, setRounds] = useState(String(settings.maxFixRounds));
  const [fixer, setFixer] = useState(settings.fixer);
  return (
    <form
      className="form form--inline"
      data-testid="merge-train-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSave({ checkCommand: check.trim() ? check.trim() : null, integration, maxBatch: Number(maxBatch), maxFixRounds: Number(rounds), fixer });
      }}
    >
      <label className="field">
        <span className="field__label">Check command</span>
        <input className="input mono" value={check} placeholder="npm test (empty: no check)" onChange={(e) => setCheck(e.target.value)} data-testid="merge-train-check" />
      </label>
      <label className="field">
        <span className="field__label">Put on the target by</span>
        <select className="input" value={integration} onChange={(e) => setIntegration(e.target.value as typeof integration)}>
          <option value="squash">one squashed commit</option>
          <option value="rebase">rebasing its commits</option>
          <option value="merge">a merge commit</option>
        </select>
      </label>
      <label className="field">
        <span className="field__label">Batch up to</span>
        <input className="input" type="number" min={1} max={32} value={maxBatch} onChange={(e) => setMaxBatch(e.target.value)} />
      </label>
      <label className="field">
        <span className="field__label">Fixed by</span>
        <select className="input" value={fixer} onChange={(e) => setFixer(e.target.value as typeof fixer)}>
          <option value="agent">its agent, then a person</option>
          <option value="person">a person</option>
        </select>
      </label>
      <label className="field">
        <span className="field__label">Agent fix rounds</span>
        <input className="input" type="number" min={0} max={10} value={rounds} onChange={(e) => setRounds(e.target.value)} />
      </label>
      <div className="form__actions">
        <button type="submit" className="btn btn--primary btn--small" disabled={busy} data-testid="merge-train-save">
          Save
        </button>
        <button type="button" className="btn btn--ghost btn--small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
