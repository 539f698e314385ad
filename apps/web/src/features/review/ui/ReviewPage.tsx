import { Fragment, useMemo, useState } from 'react';
import type { AttemptView, FileDiff } from '@baton/contracts';
import { describeError } from '../../../api/http';
import { Link } from '../../../app/router';
import { projectPath } from '../../../app/routes';
import { usePolled } from '../../../live/use-live';
import { ErrorBanner } from '../../../shared/ui/Banner';
import { TaskStatusBadge } from '../../../shared/ui/Badges';
import { Dialog } from '../../../shared/ui/Dialog';
import { ArrowLeftIcon, BranchIcon, MergeIcon, RefreshIcon, ReviewIcon, SendIcon } from '../../../shared/ui/icons';
import { toast } from '../../../shared/ui/toast';
import { hasRole } from '../../auth/model/session';
import { useMe } from '../../auth/model/use-session';
import { useProjectWindow } from '../../project/model/project-context';
import { sessionsApi } from '../../sessions/model/sessions-api';
import { isLive } from '../../sessions/model/sessions.store';
import { tasksApi } from '../../tasks/model/tasks-api';
import { highlightLine } from '../model/highlight';
import { reviewApi } from '../model/review-api';
import { commentKey, composeReview, languageOf, type ReviewComment } from '../model/review-comments';

export function ReviewPage({ attemptId }: { attemptId: string | null }) {
  return attemptId ? <AttemptReview attemptId={attemptId} /> : <ReviewList />;
}

function ReviewList() {
  const { project, tasks } = useProjectWindow();
  const list = Object.values(tasks.data ?? {})
    .filter((t) => t.activeAttemptId)
    .sort((a, b) => (a.status === 'in_review' ? -1 : 0) - (b.status === 'in_review' ? -1 : 0) || a.number - b.number);
  return (
    <div className="page page--wide">
      <header className="page__header">
        <div>
          <h1 className="page__title">Review</h1>
          <p className="page__subtitle">Attempts with work on their branch: read the diff, comment inline, merge or send it back.</p>
        </div>
      </header>
      {list.length === 0 ? (
        <div className="empty">
          <div className="empty__icon">
            <ReviewIcon size={22} />
          </div>
          <h2 className="empty__title">Nothing to review</h2>
          <p className="empty__text">Attempts appear here while they are active or in review.</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="review-list">
            <tbody>
              {list.map((t) => (
                <tr key={t.id} className="table__row">
                  <td>
                    <Link className="table__primary" to={projectPath(project.id, 'review', t.activeAttemptId!)}>
                      <span className="mono muted">#{t.number}</span> {t.title}
                    </Link>
                  </td>
                  <td style={{ width: 130 }}>
                    <TaskStatusBadge status={t.status} />
                  </td>
                  <td style={{ width: 140 }} className="muted">
                    attempt {t.attemptCount}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function AttemptReview({ attemptId }: { attemptId: string }) {
  const { project, tasks, sessions } = useProjectWindow();
  const canAct = hasRole(useMe(), 'operator');
  const [uncommitted, setUncommitted] = useState(true);
  const [tick, setTick] = useState(0);
  const attempt = usePolled<AttemptView>((s) => tasksApi.attempt(attemptId, 0, s), `${attemptId}|${tick}`);
  const diff = usePolled((s) => reviewApi.diff(attemptId, uncommitted, s), `${attemptId}|${uncommitted}|${tick}`);
  const [comments, setComments] = useState<Record<string, ReviewComment>>({});
  const [editing, setEditing] = useState<string | null>(null);
  const [summary, setSummary] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [merging, setMerging] = useState(false);
  const [strategy, setStrategy] = useState<'squash' | 'merge'>('squash');
  const [message, setMessage] = useState('');
  const [active, setActive] = useState<string | null>(null);
  const a = attempt.data;
  const task = a ? tasks.data?.[a.taskId] : undefined;
  const files = diff.data?.files ?? [];
  const totals = files.reduce((n, f) => ({ add: n.add + f.additions, del: n.del + f.deletions }), { add: 0, del: 0 });
  const list = Object.values(comments).filter((c) => c.text.trim());
  const running = Object.values(sessions.data ?? {}).find((s) => s.attemptId === attemptId && isLive(s));
  const finished = a ? a.status !== 'active' && a.status !== 'in_review' : false;

  const act = async (what: string, fn: () => Promise<unknown>) => {
    setBusy(what);
    try {
      await fn();
      setTick((n) => n + 1);
    } catch (e) {
      toast(`${what}: ${describeError(e)}`, 'error', 9_000);
    } finally {
      setBusy(null);
    }
  };
  const sendComments = () =>
    act('Send comments', async () => {
      const text = composeReview(list, summary);
      // Back to work, then the comments as one follow-up (whole: a review comment is capped):
      // into the running session, or a new one (of the attempt's template, else like its last)
      // that resumes the conversation.
      if (a?.status === 'in_review') await tasksApi.requestChanges(attemptId);
      const r = await sessionsApi.followUp(attemptId, text, running ? null : (a?.sessionTemplateId ?? null));
      setComments({});
      setSummary('');
      toast(r.started ? 'Comments sent: a new session works on them' : 'Comments sent to the running session', 'ok');
    });
  const merge = () =>
    act('Merge', async () => {
      const r = await reviewApi.merge(attemptId, strategy, message.trim() || undefined);
      setMerging(false);
      toast(r.changed ? `Merged as ${r.commit.slice(0, 10)} into ${a?.baseBranch}` : 'Nothing to merge: the base already has these changes', 'ok', 8_000);
    });

  return (
    <div className="page page--full">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={projectPath(project.id, 'review')} className="crumbs__back">
          <ArrowLeftIcon size={14} /> Review
        </Link>
      </nav>
      <header className="page__header">
        <div>
          <div className="page__title-row">
            <h1 className="page__title">{task ? `#${task.number} ${task.title}` : 'Attempt'}</h1>
            {a && <span className={`pill pill--attempt-${a.status}`} data-testid="attempt-status">{a.status.replace('_', ' ')}</span>}
          </div>
          {a && (
            <p className="page__subtitle">
              <span className="branch mono">
                <BranchIcon size={12} /> {a.branch}
              </span>{' '}
              → <span className="mono">{a.baseBranch}</span> · attempt {a.number} · {files.length} file{files.length === 1 ? '' : 's'} <span className="diff-add">+{totals.add}</span> <span className="diff-del">−{totals.del}</span>
            </p>
          )}
        </div>
        <div className="page__actions">
          <label className="check">
            <input type="checkbox" checked={uncommitted} onChange={(e) => setUncommitted(e.target.checked)} /> Uncommitted too
          </label>
          <button type="button" className="btn btn--ghost btn--icon" onClick={() => setTick((n) => n + 1)} aria-label="Refresh" title="Refresh">
            <RefreshIcon />
          </button>
          {canAct && a && !finished && (
            <>
              {a.status === 'active' && (
                <button type="button" className="btn btn--ghost" disabled={!!busy} onClick={() => void act('Request review', () => tasksApi.requestReview(attemptId))}>
                  Mark for review
                </button>
              )}
              <button type="button" className="btn btn--ghost" disabled={!!busy} onClick={() => void act('Abandon', () => tasksApi.finishAttempt(attemptId, 'abandoned', 'abandoned in review'))}>
                Abandon
              </button>
              <button type="button" className="btn btn--primary" disabled={!!busy || !!running} title={running ? 'A session still runs in this attempt' : undefined} onClick={() => setMerging(true)} data-testid="merge">
                <MergeIcon size={14} /> Merge
              </button>
            </>
          )}
        </div>
      </header>
      {(diff.error || attempt.error) && <ErrorBanner>{diff.error ?? attempt.error}</ErrorBanner>}
      {canAct && !finished && (
        <div className="review-bar">
          <input className="input" placeholder="Overall comment (optional)" value={summary} onChange={(e) => setSummary(e.target.value)} aria-label="Overall comment" />
          <button type="button" className="btn btn--primary" disabled={(!list.length && !summary.trim()) || !!busy} onClick={() => void sendComments()} data-testid="send-comments">
            <SendIcon size={13} /> Send {list.length ? `${list.length} comment${list.length === 1 ? '' : 's'}` : 'comment'} to the agent
          </button>
        </div>
      )}
      {diff.loading && !diff.data && <div className="card"><span className="skeleton" style={{ width: '60%' }} /></div>}
      {diff.data && files.length === 0 && (
        <div className="empty">
          <h2 className="empty__title">No changes</h2>
          <p className="empty__text">The branch has nothing its base does not.</p>
        </div>
      )}
      {files.length > 0 && (
        <div className="review">
          <nav className="review__files card" aria-label="Files">
            {files.map((f) => (
              <a key={f.path} href={`#file-${encodeURIComponent(f.path)}`} className={`review__file${active === f.path ? ' review__file--on' : ''}`} onClick={() => setActive(f.path)}>
                <span className={`fstat fstat--${f.status}`}>{f.status[0].toUpperCase()}</span>
                <span className="truncate mono">{f.path}</span>
                <span className="diff-add">+{f.additions}</span>
                <span className="diff-del">−{f.deletions}</span>
              </a>
            ))}
          </nav>
          <div className="review__diffs">
            {files.map((f) => (
              <FileView
                key={f.path}
                file={f}
                comments={comments}
                editing={editing}
                canComment={canAct && !finished}
                onEdit={setEditing}
                onChange={(c) => setComments((all) => ({ ...all, [commentKey(c)]: c }))}
                onRemove={(k) => setComments((all) => {
                  const n = { ...all };
                  delete n[k];
                  return n;
                })}
              />
            ))}
          </div>
        </div>
      )}
      <Dialog
        open={merging}
        title="Merge this attempt"
        onClose={() => setMerging(false)}
        footer={
          <>
            <button type="button" className="btn btn--ghost" onClick={() => setMerging(false)}>
              Cancel
            </button>
            <button type="button" className="btn btn--primary" onClick={() => void merge()} disabled={!!busy} data-testid="confirm-merge">
              {busy === 'Merge' && <span className="spinner" aria-hidden="true" />}
              Merge into {a?.baseBranch}
            </button>
          </>
        }
      >
        <div className="seg" role="group" aria-label="Strategy" style={{ marginBottom: 12 }}>
          {(['squash', 'merge'] as const).map((x) => (
            <button key={x} type="button" className={`seg__btn${strategy === x ? ' seg__btn--on' : ''}`} onClick={() => setStrategy(x)}>
              {x === 'squash' ? 'Squash' : 'Merge commit'}
            </button>
          ))}
        </div>
        <label className="field__label" htmlFor="merge-msg">
          Commit message <span className="field__optional">default: the task’s title</span>
        </label>
        <textarea id="merge-msg" className="input textarea" rows={3} value={message} onChange={(e) => setMessage(e.target.value)} placeholder={task?.title} />
        <p className="field__hint">Atomic on the runner: a conflict changes nothing and names the files. The task becomes done.</p>
      </Dialog>
    </div>
  );
}

interface FileProps {
  file: FileDiff;
  comments: Record<string, ReviewComment>;
  editing: string | null;
  canComment: boolean;
  onEdit: (key: string | null) => void;
  onChange: (c: ReviewComment) => void;
  onRemove: (key: string) => void;
}

function FileView({ file, comments, editing, canComment, onEdit, onChange, onRemove }: FileProps) {
  const lang = useMemo(() => languageOf(file.path), [file.path]);
  return (
    <section className="dfile card" id={`file-${encodeURIComponent(file.path)}`} data-testid="diff-file">
      <header className="dfile__head">
        <span className={`fstat fstat--${file.status}`}>{file.status}</span>
        <span className="mono dfile__path">{file.oldPath && file.oldPath !== file.path ? `${file.oldPath} → ${file.path}` : file.path}</span>
        <span className="diff-add">+{file.additions}</span>
        <span className="diff-del">−{file.deletions}</span>
      </header>
      {file.binary ? (
        <p className="muted dfile__binary">Binary file</p>
      ) : (
        <table className="diff">
          <colgroup>
            <col style={{ width: 52 }} />
            <col style={{ width: 56 }} />
            <col style={{ width: 20 }} />
            <col />
          </colgroup>
          <tbody>
            {file.hunks.map((h, hi) => (
              <Fragment key={hi}>
                <tr className="diff__hunk">
                  <td colSpan={4}>
                    @@ −{h.oldStart},{h.oldLines} +{h.newStart},{h.newLines} @@ <span className="muted">{h.section}</span>
                  </td>
                </tr>
                {h.lines.map((l, li) => {
                  const side = l.kind === 'del' ? 'old' : 'new';
                  const line = (side === 'old' ? l.oldLine : l.newLine) ?? 0;
                  const key = commentKey({ path: file.path, line, side });
                  const c = comments[key];
                  return (
                    <Fragment key={li}>
                      <tr className={`diff__line diff__line--${l.kind}`}>
                        <td className="diff__no">{l.oldLine ?? ''}</td>
                        <td className="diff__no">
                          {canComment && (
                            <button type="button" className="diff__add-comment" onClick={() => onEdit(key)} aria-label={`Comment on line ${line}`} data-testid="comment-line">
                              +
                            </button>
                          )}
                          {l.newLine ?? ''}
                        </td>
                        <td className="diff__sign">{l.kind === 'add' ? '+' : l.kind === 'del' ? '−' : ''}</td>
                        <td className="diff__code">
                          <code className="hljs" dangerouslySetInnerHTML={{ __html: highlightLine(l.text, lang) }} />
                        </td>
                      </tr>
                      {(editing === key || c) && (
                        <tr className="diff__comment-row">
                          <td colSpan={4}>
                            <div className="diff__comment">
                              {editing === key ? (
                                <>
                                  <textarea
                                    className="input textarea"
                                    rows={2}
                                    autoFocus
                                    placeholder="What should the agent change here?"
                                    defaultValue={c?.text ?? ''}
                                    aria-label="Comment"
                                    id={`c-${key}`}
                                  />
                                  <div className="diff__comment-actions">
                                    <button type="button" className="btn btn--ghost btn--sm" onClick={() => onEdit(null)}>
                                      Cancel
                                    </button>
                                    <button
                                      type="button"
                                      className="btn btn--primary btn--sm"
                                      onClick={() => {
                                        const text = (document.getElementById(`c-${key}`) as HTMLTextAreaElement).value;
                                        if (text.trim()) onChange({ path: file.path, line, side, code: l.text, text });
                                        else onRemove(key);
                                        onEdit(null);
                                      }}
                                    >
                                      Add comment
                                    </button>
                                  </div>
                                </>
                              ) : (
                                <div className="diff__comment-text" data-testid="inline-comment">
                                  <p>{c!.text}</p>
                                  <button type="button" className="btn btn--ghost btn--sm" onClick={() => onEdit(key)}>
                                    Edit
                                  </button>
                                  <button type="button" className="btn btn--ghost btn--sm" onClick={() => onRemove(key)}>
                                    Remove
                                  </button>
                                </div>
                              )}
                            </div>
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  );
                })}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
