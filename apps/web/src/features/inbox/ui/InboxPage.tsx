import { useEffect, useState, type FormEvent } from 'react';
import type { SessionView } from '@baton/contracts';
import { describeError } from '../../../api/http';
import { Link } from '../../../app/router';
import { projectPath } from '../../../app/routes';
import { SessionStatusBadge } from '../../../shared/ui/Badges';
import { BellIcon, SendIcon } from '../../../shared/ui/icons';
import { RelativeTime } from '../../../shared/ui/RelativeTime';
import { toast } from '../../../shared/ui/toast';
import { setPageTitle } from '../../../shared/lib/title';
import { hasRole } from '../../auth/model/session';
import { useMe } from '../../auth/model/use-session';
import { inboxApi, waitsForPermission, type InboxState } from '../model/inbox';

/**
 * Every agent waiting for a person, across the projects you see (the shell's one poll of them) — made for a phone: one card
 * per agent with what it asks, Approve / Deny for a permission prompt, and a reply box.
 */
export function InboxPage({ inbox, onAnswered }: { inbox: InboxState; onAnswered: () => void }) {
  useEffect(() => setPageTitle('Inbox · Baton'), []);
  return (
    <div className="page inbox-page">
      <header className="page__header">
        <div>
          <h1 className="page__title">Inbox</h1>
          <p className="page__subtitle">Agents waiting for you, oldest first</p>
        </div>
      </header>
      {inbox.status === 'loading' && <span className="skeleton skeleton--title" />}
      {inbox.status === 'error' && (
        <div className="empty">
          <h2 className="empty__title">The inbox could not be read</h2>
          <p>{inbox.message}</p>
        </div>
      )}
      {inbox.status === 'ready' && inbox.items.length === 0 && (
        <div className="empty" data-testid="inbox-empty">
          <BellIcon size={20} />
          <h2 className="empty__title">Nothing waits for you</h2>
          <p>When an agent asks a question or for permission, it shows here.</p>
        </div>
      )}
      {inbox.status === 'ready' && inbox.items.length > 0 && (
        <ul className="inbox" data-testid="inbox">
          {inbox.items.map((s) => (
            <InboxCard key={s.id} session={s} onAnswered={onAnswered} />
          ))}
        </ul>
      )}
    </div>
  );
}

function InboxCard({ session: s, onAnswered }: { session: SessionView; onAnswered: () => void }) {
  const me = useMe();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const canAct = hasRole(me, 'operator');
  const act = async (what: string, fn: () => Promise<unknown>) => {
    setBusy(what);
    try {
      await fn();
      toast(`${what}: sent`, 'ok', 2_000);
      onAnswered();
    } catch (e) {
      toast(`${what}: ${describeError(e)}`, 'error', 8_000);
    } finally {
      setBusy(null);
    }
  };
  const reply = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    void act('Reply', async () => {
      await inboxApi.reply(s.id, text);
      setText('');
    });
  };
  const label = s.name || s.templateName;
  return (
    <li className="inbox__card" data-testid="inbox-card" data-session-id={s.id}>
      <div className="inbox__head">
        <Link to={projectPath(s.projectId, 'sessions', s.id)} className="inbox__who">
          {label}
        </Link>
        <SessionStatusBadge status={s.status} />
      </div>
      <p className="inbox__ask" data-testid="inbox-ask">
        {s.statusReason || s.lastMessage || 'waiting for input'}
      </p>
      <p className="inbox__meta muted">
        waiting since <RelativeTime iso={s.statusSince} /> · <span className="mono">{s.id.slice(-8)}</span>
      </p>
      {canAct && (
        <>
          {waitsForPermission(s) && (
            <div className="inbox__actions">
              <button type="button" className="btn btn--primary inbox__button" disabled={!!busy} onClick={() => void act('Approve', () => inboxApi.answerPermission(s.id, 'approve'))}>
                Approve
              </button>
              <button type="button" className="btn btn--danger inbox__button" disabled={!!busy} onClick={() => void act('Deny', () => inboxApi.answerPermission(s.id, 'deny'))}>
                Deny
              </button>
            </div>
          )}
          <form className="inbox__reply" onSubmit={reply}>
 <textarea aria-label={`Reply to ${label}`} className="input inbox__text" rows={2} placeholder="Reply…" value={text} onChange={(e) => setText(e.target.value)} data-testid="inbox-reply" />
            <button type="submit" className="btn btn--primary inbox__button" disabled={!!busy || !text.trim()} aria-label={`Send the reply to ${label}`}>
              <SendIcon size={14} /> Send
            </button>
          </form>
        </>
      )}
    </li>
  );
}
