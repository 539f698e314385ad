import { useEffect, useMemo } from 'react';
import type { LiveRoom, RunnerView } from '@baton/contracts';
import { liveRoom } from '../../../live/rooms';
import type { PendingQueueView } from '../../../api/types';
import { describeError } from '../../../api/http';
import { Link } from '../../../app/router';
import { projectPath } from '../../../app/routes';
import { useLiveEvents, usePolled } from '../../../live/use-live';
import { ErrorBanner } from '../../../shared/ui/Banner';
import { SessionStatusBadge } from '../../../shared/ui/Badges';
import { RelativeTime } from '../../../shared/ui/RelativeTime';
import { toast } from '../../../shared/ui/toast';
import { hasRole } from '../../auth/model/session';
import { useMe } from '../../auth/model/use-session';
import { sessionsApi } from '../../sessions/model/sessions-api';
import { fleetApi } from '../model/fleet-api';
import { setPageTitle } from '../../../shared/lib/title';

/** The fleet: runners (capacity, load, labels, health) and the sessions waiting for a slot, with why. */
export function FleetPage() {
  const isAdmin = hasRole(useMe(), 'admin');
  const runners = usePolled<RunnerView[]>((s) => fleetApi.runners(s), 'runners', 3_000);
  const pending = usePolled<PendingQueueView>((s) => sessionsApi.pending(undefined, s), 'pending', 3_000);
  const rooms = useMemo(() => (runners.data ?? []).map((r) => liveRoom.runner(r.id)) as LiveRoom[], [runners.data]);
  useLiveEvents(rooms, () => runners.reload());
  useEffect(() => {
    setPageTitle('Fleet · Baton');
  }, []);
  const list = runners.data ?? [];
  const alive = list.filter((r) => r.alive && r.status === 'registered');
  const capacity = alive.reduce((n, r) => n + (r.draining ? 0 : r.capacity), 0);
  const running = alive.reduce((n, r) => n + r.running, 0);
  const act = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      runners.reload();
    } catch (e) {
      toast(`${what}: ${describeError(e)}`, 'error');
    }
  };

  return (
    <div className="page page--wide">
      <header className="page__header">
        <div>
          <h1 className="page__title">Fleet</h1>
          <p className="page__subtitle">The machines that run agents, and the sessions waiting for one.</p>
        </div>
      </header>
      <div className="stats">
        <div className="stat">
          <span className="stat__label">Runners up</span>
          <span className="stat__value">
            {alive.length}
            <span className="stat__of">/ {list.filter((r) => r.status === 'registered').length}</span>
          </span>
        </div>
        <div className="stat">
          <span className="stat__label">Slots in use</span>
          <span className="stat__value">
            {running}
            <span className="stat__of">/ {capacity}</span>
          </span>
          <div className="meter">
            <span className="meter__fill" style={{ width: `${capacity ? Math.min(100, (running / capacity) * 100) : 0}%` }} />
          </div>
        </div>
        <div className="stat">
          <span className="stat__label">Waiting for a slot</span>
          <span className="stat__value">{pending.data?.items.length ?? 0}</span>
          <span className="stat__sub">{pending.data?.scheduledAt ? <>scheduler ran <RelativeTime iso={pending.data.scheduledAt} /></> : 'scheduler not seen yet'}</span>
        </div>
      </div>
      {(runners.error || pending.error) && <ErrorBanner>{runners.error ?? pending.error}</ErrorBanner>}
      <section className="section">
        <h2 className="section__title">Runners</h2>
        {list.length === 0 ? (
          <p className="muted">No runner has registered. Start one with `npm start` or the runner image.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="runners">
              <thead>
                <tr>
                  <th>Runner</th>
                  <th style={{ width: 110 }}>Health</th>
                  <th style={{ width: 200 }}>Load</th>
                  <th>Labels</th>
                  <th style={{ width: 140 }}>Heartbeat</th>
                  {isAdmin && <th style={{ width: 170 }} aria-label="Actions" />}
                </tr>
              </thead>
              <tbody>
                {list.map((r) => {
                  const load = r.capacity ? r.running / r.capacity : 0;
                  return (
                    <tr key={r.id} className="table__row" data-testid="runner-row">
                      <td>
                        <span className="table__primary mono">{r.id}</span>
                        <div className="muted small">
                          {r.hostname}
                          {r.version && ` · v${r.version}`}
                        </div>
                      </td>
                      <td>
                        {r.status === 'deregistered' ? (
                          <span className="pill pill--muted">Gone</span>
                        ) : !r.alive ? (
                          <span className="pill pill--danger">No heartbeat</span>
                        ) : r.draining ? (
                          <span className="pill pill--warn">Draining</span>
                        ) : (
                          <span className="pill pill--ok">Healthy</span>
                        )}
                      </td>
                      <td>
                        <div className="load">
                          <div className={`meter${load >= 1 ? ' meter--full' : ''}`}>
                            <span className="meter__fill" style={{ width: `${Math.min(100, load * 100)}%` }} />
                          </div>
                          <span className="mono small">
                            {r.running}/{r.capacity}
                          </span>
                        </div>
                      </td>
                      <td>
                        <span className="chips">
                          {Object.entries(r.labels).map(([k, v]) => (
                            <span key={k} className="chip chip--xs mono">
                              {k}={v}
                            </span>
                          ))}
                          {Object.keys(r.labels).length === 0 && <span className="muted">—</span>}
                        </span>
                      </td>
                      <td className="muted">{r.lastHeartbeatAt ? <RelativeTime iso={r.lastHeartbeatAt} /> : '—'}</td>
                      {isAdmin && (
                        <td>
                          <div className="row-actions">
                            <button type="button" className="btn btn--ghost btn--sm" onClick={() => void act('Drain', () => fleetApi.drain(r.id, !r.draining))}>
                              {r.draining ? 'Undrain' : 'Drain'}
                            </button>
                            <button
                              type="button"
                              className="btn btn--ghost btn--sm"
                              onClick={() => {
                                const v = window.prompt(`Capacity of ${r.id}`, String(r.capacity));
                                if (v !== null && v.trim() !== '') void act('Capacity', () => fleetApi.capacity(r.id, Number(v)));
                              }}
                            >
                              Capacity
                            </button>
                          </div>
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="section">
        <h2 className="section__title">Pending queue</h2>
        {!pending.data?.items.length ? (
          <p className="muted">Nothing waits: every requested session has a runner.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="pending">
              <thead>
                <tr>
                  <th style={{ width: 50 }}>#</th>
                  <th>Session</th>
                  <th style={{ width: 120 }}>Status</th>
                  <th>Why it waits</th>
                  <th style={{ width: 130 }}>Waiting since</th>
                </tr>
              </thead>
              <tbody>
                {pending.data.items.map((p) => (
                  <tr key={p.id} className="table__row">
                    <td className="mono">{p.position}</td>
                    <td>
                      <Link className="table__primary" to={projectPath(p.projectId, 'sessions', p.id)}>
                        {p.name || p.templateName}
                      </Link>
                      <div className="muted small mono">{p.templateName}</div>
                    </td>
                    <td>
                      <SessionStatusBadge status={p.status} />
                    </td>
                    <td>
                      {p.waiting ? (
                        <>
                          <span className="tag">{p.waiting.reason.replace(/_/g, ' ')}</span> <span className="muted">{p.waiting.detail}</span>
                        </>
                      ) : (
                        <span className="muted">not seen by the scheduler yet</span>
                      )}
                    </td>
                    <td className="muted">
                      <RelativeTime iso={p.statusSince} />
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
