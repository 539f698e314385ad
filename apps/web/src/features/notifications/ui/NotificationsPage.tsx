import { useEffect, useState, type FormEvent } from 'react';
import type { Page, ProjectView } from '@baton/contracts';
import { describeError, read } from '../../../api/http';
import { usePolled } from '../../../live/use-live';
import { setPageTitle } from '../../../shared/lib/title';
import { ErrorBanner } from '../../../shared/ui/Banner';
import { RelativeTime } from '../../../shared/ui/RelativeTime';
import { toast } from '../../../shared/ui/toast';
import { useBrowserPermission } from '../model/browser-notifications';
import { FORMATS, KINDS, newSecret, notificationsApi, type ChannelFormat, type ChannelView, type DeliveryView, type NotificationKind } from '../model/notifications-api';

const kindLabel = (k: string) => KINDS.find((x) => x.kind === k)?.label ?? (k === 'test' ? 'Test' : k);
const STATUS_CLASS: Record<DeliveryView['status'], string> = { delivered: 'badge badge--active', pending: 'badge', failed: 'badge badge--deleted' };

/** Notifications: this browser's, your webhook channels with their rules and a test, and the log of every delivery. */
export function NotificationsPage() {
  useEffect(() => setPageTitle('Notifications · Baton'), []);
  const channels = usePolled<ChannelView[]>((s) => notificationsApi.channels(s), 'notification-channels');
  const deliveries = usePolled<DeliveryView[]>((s) => notificationsApi.deliveries(s), 'notification-deliveries', 3_000);
  const projects = usePolled<Page<ProjectView>>((s) => read<Page<ProjectView>>('/api/projects', { limit: 200 }, s), 'notification-projects');
  const projectName = (id: string | null) => (id ? (projects.data?.items.find((p) => p.id === id)?.name ?? id) : 'All your projects');
  const [editing, setEditing] = useState<string | null>(null);

  const act = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      channels.reload();
      deliveries.reload();
      return true;
    } catch (e) {
      toast(`${what}: ${describeError(e)}`, 'error');
      return false;
    }
  };

  return (
    <div className="page page--wide">
      <header className="page__header">
        <div>
          <h1 className="page__title">Notifications</h1>
          <p className="page__subtitle">When an agent needs you, fails or finishes: in this browser, and by webhook (JSON, Slack, ntfy) to wherever you are.</p>
        </div>
      </header>

      <BrowserCard />

      <section className="section" aria-labelledby="channels-title">
        <h2 className="section__title" id="channels-title">
          Webhook channels
        </h2>
        {channels.error && <ErrorBanner>{channels.error}</ErrorBanner>}
        {channels.data && channels.data.length === 0 && <p className="muted">No channel yet. Add one below; every delivery is signed with its secret.</p>}
        {channels.data && channels.data.length > 0 && (
          <div className="table-wrap">
            <table className="table notify-table" data-testid="notification-channels">
              <thead>
                <tr>
                  <th style={{ width: '17%' }}>Name</th>
                  <th style={{ width: '20%' }}>Sends to</th>
                  <th style={{ width: '14%' }}>For</th>
                  <th>Events</th>
                  <th style={{ width: 290 }} aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {channels.data.map((c) => (
                  <tr key={c.id} data-testid={`channel-${c.id}`}>
                    <td>
                      {c.name} <span className="muted">{FORMATS.find((f) => f.format === c.format)?.label}</span>
                    </td>
                    <td className="mono" data-label="Sends to" title="The rest of the address and the secret are never shown again">
                      {c.url}
                    </td>
                    <td data-label="For">{projectName(c.projectId)}</td>
                    <td>
                      {editing === c.id ? (
                        <RulesEditor channel={c} projects={projects.data?.items ?? []} onDone={(saved) => void (saved ? act('Rules', saved) : Promise.resolve()).then(() => setEditing(null))} />
                      ) : (
                        <span className="chips">
                          {c.rules.kinds.map((k) => (
                            <span className="chip" key={k}>
                              {kindLabel(k)}
                            </span>
                          ))}
                          {c.projectId === null && c.rules.projectIds.length > 0 && <span className="muted">only {c.rules.projectIds.map(projectName).join(', ')}</span>}
                        </span>
                      )}
                    </td>
                    <td className="row-actions">
                      <button type="button" className="btn btn--ghost btn--sm" disabled={editing === c.id} onClick={() => setEditing(c.id)}>
                        Edit rules
                      </button>
                      <button type="button" className="btn btn--ghost btn--sm" onClick={() => void act('Test', () => notificationsApi.test(c.id)).then((ok) => ok && toast(`Test sent to ${c.name}: see the log below`, 'ok'))}>
                        Send test
                      </button>
                      <button type="button" className="btn btn--ghost btn--sm" onClick={() => void act('Remove', () => notificationsApi.remove(c.id))}>
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <AddChannelForm projects={projects.data?.items ?? []} onAdded={() => channels.reload()} />
      </section>

      <section className="section" aria-labelledby="deliveries-title">
        <h2 className="section__title" id="deliveries-title">
          Delivery log
        </h2>
        {deliveries.error && <ErrorBanner>{deliveries.error}</ErrorBanner>}
        {deliveries.data && deliveries.data.length === 0 && <p className="muted">Nothing sent yet.</p>}
        {deliveries.data && deliveries.data.length > 0 && (
          <div className="table-wrap">
            <table className="table notify-table" data-testid="notification-deliveries">
              <thead>
                <tr>
                  <th>When</th>
                  <th>What</th>
                  <th>Channel</th>
                  <th>Status</th>
                  <th>Tries</th>
                  <th>Answer</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.data.map((d) => (
                  <tr key={d.id} data-testid={`delivery-${d.id}`}>
                    <td className="muted">
                      <RelativeTime iso={d.createdAt} />
                    </td>
                    <td>
                      <a href={d.link}>{kindLabel(d.kind)}</a> <span className="muted">{d.message}</span>
                    </td>
                    <td data-label="Channel">{channels.data?.find((c) => c.id === d.channelId)?.name ?? <span className="mono muted">{d.channelId}</span>}</td>
                    <td>
                      <span className={STATUS_CLASS[d.status]}>{d.status}</span>
                    </td>
                    <td data-label="Tries">{d.attempts}</td>
                    <td className="muted" title={d.lastError ?? undefined}>
                      {d.responseCode ?? ''} {d.lastError ? d.lastError.slice(0, 60) : ''}
                      {d.status === 'pending' && d.nextAttemptAt && (
                        <>
                          {' '}
                          next try <RelativeTime iso={d.nextAttemptAt} />
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

/** A channel's rules: its events, and for a user's channel the projects it hears of (none chosen: all). */
function RulesEditor({ channel, projects, onDone }: { channel: ChannelView; projects: readonly ProjectView[]; onDone: (save: (() => Promise<unknown>) | null) => void }) {
  const [kinds, setKinds] = useState<NotificationKind[]>(channel.rules.kinds);
  const [only, setOnly] = useState<string[]>(channel.rules.projectIds);
  return (
    <form
      className="rules-editor"
      aria-label={`Rules of ${channel.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        onDone(() => notificationsApi.setKinds(channel.id, kinds, channel.projectId === null ? only : []));
      }}
    >
      <div className="chips">
        {KINDS.map((k) => (
          <label className="check" key={k.kind}>
            <input type="checkbox" checked={kinds.includes(k.kind)} onChange={(e) => setKinds((now) => (e.target.checked ? [...now, k.kind] : now.filter((x) => x !== k.kind)))} /> {k.label}
          </label>
        ))}
      </div>
      {channel.projectId === null && projects.length > 0 && (
        <label className="field">
          <span className="field__label">Only these projects (none: all of yours)</span>
          <select className="input input--multi" multiple value={only} onChange={(e) => setOnly(Array.from(e.target.selectedOptions, (o) => o.value))}>
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="row-actions">
        <button type="submit" className="btn btn--primary btn--sm" disabled={kinds.length === 0}>
          Save rules
        </button>
        <button type="button" className="btn btn--ghost btn--sm" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** This browser's notifications: the permission, asked for on a click as browsers require. */
function BrowserCard() {
  const [permission, ask] = useBrowserPermission();
  const text: Record<typeof permission, string> = {
    granted: 'On: this browser shows a notification when an agent starts waiting for you, while a Baton tab is open. The tab’s title and icon show how many wait.',
    default: 'Off: allow notifications to hear when an agent starts waiting for you while this tab is in the background.',
    denied: 'Blocked in this browser’s site settings: allow notifications there to turn them on.',
    unsupported: 'This browser has no notifications; the tab’s title and icon still show how many agents wait.',
  };
  return (
    <section className="card" aria-labelledby="browser-title" data-testid="browser-notifications">
      <h2 className="card__title" id="browser-title">
        This browser
      </h2>
      <p className="muted">{text[permission]}</p>
      {permission === 'default' && (
        <button type="button" className="btn btn--primary btn--sm" onClick={() => void ask()}>
          Allow notifications
        </button>
      )}
    </section>
  );
}

function AddChannelForm({ projects, onAdded }: { projects: readonly ProjectView[]; onAdded: () => void }) {
  const [name, setName] = useState('');
  const [format, setFormat] = useState<ChannelFormat>('json');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState(newSecret);
  const [projectId, setProjectId] = useState('');
  const [kinds, setKinds] = useState<NotificationKind[]>(['needs_input', 'permission_prompt', 'failed']);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await notificationsApi.add({ name: name.trim(), format, url: url.trim(), secret, projectId: projectId || null, rules: { kinds, projectIds: [] } });
      toast(`Channel ${name.trim()} added. Its secret will not be shown again.`, 'ok');
      setName('');
      setUrl('');
      setSecret(newSecret());
      onAdded();
    } catch (err) {
      setProblem(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card notify-form" aria-label="Add a channel" onSubmit={(e) => void submit(e)}>
      <h3 className="card__title">Add a channel</h3>
      <div className="form__row">
        <label className="field">
          <span className="field__label">Name</span>
          <input className="input" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} placeholder="My phone" />
        </label>
        <label className="field">
          <span className="field__label">Format</span>
          <select className="input" value={format} onChange={(e) => setFormat(e.target.value as ChannelFormat)}>
            {FORMATS.map((f) => (
              <option key={f.format} value={f.format}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label className="field">
        <span className="field__label">URL</span>
        <input className="input input--mono" type="url" value={url} onChange={(e) => setUrl(e.target.value)} required placeholder={format === 'ntfy' ? 'https://ntfy.sh/your-topic' : 'https://hooks.slack.com/services/…'} />
        <span className="field__hint">http or https. Write-only: only its scheme and host are shown later.</span>
      </label>
      <div className="form__row">
        <label className="field">
          <span className="field__label">Signing secret</span>
          <input className="input input--mono" value={secret} onChange={(e) => setSecret(e.target.value)} required minLength={16} maxLength={200} />
          <span className="field__hint">Copy it now for your receiver (X-Baton-Signature: sha256=HMAC of "timestamp.body").</span>
        </label>
        <label className="field">
          <span className="field__label">For</span>
          <select className="input" value={projectId} onChange={(e) => setProjectId(e.target.value)}>
            <option value="">All my projects</option>
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                Project {p.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <fieldset className="field notify-kinds">
        <legend className="field__label">Events</legend>
        <div className="chips">
          {KINDS.map((k) => (
            <label className="check" key={k.kind}>
              <input type="checkbox" checked={kinds.includes(k.kind)} onChange={(e) => setKinds((now) => (e.target.checked ? [...now, k.kind] : now.filter((x) => x !== k.kind)))} /> {k.label}
            </label>
          ))}
        </div>
      </fieldset>
      {problem && (
        <p className="field__error" role="alert">
          {problem}
        </p>
      )}
      <div>
        <button type="submit" className="btn btn--primary btn--sm" disabled={busy || kinds.length === 0}>
          Add channel
        </button>
      </div>
    </form>
  );
}
