import type { ReactNode } from 'react';
import { Link } from '../../../app/router';
import { projectPath } from '../../../app/routes';
import { formatDateTime } from '../../../shared/lib/time';
import { SessionStatusBadge } from '../../../shared/ui/Badges';
import { CopyButton } from '../../../shared/ui/CopyButton';
import { BranchIcon, ExternalIcon } from '../../../shared/ui/icons';
import { RelativeTime } from '../../../shared/ui/RelativeTime';
import { StatusBadge } from '../../projects/ui/StatusBadge';
import { formatUsd, isLive, sessionLabel, sortSessions } from '../../sessions/model/sessions.store';
import { BOARD_COLUMNS, TASK_STATUS_LABEL } from '../../tasks/model/tasks.store';
import { useMe } from '../../auth/model/use-session';
import { MembersCard } from '../../project-members/ui/MembersCard';
import { useProjectWindow } from '../model/project-context';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="props__row">
      <dt className="props__label">{label}</dt>
      <dd className="props__value">{children}</dd>
    </div>
  );
}

export function OverviewPage() {
  const { project, tasks, sessions } = useProjectWindow();
  const me = useMe();
  const all = Object.values(tasks.data ?? {});
  const leaves = all.filter((t) => t.childCount === 0);
  const counts = Object.fromEntries(BOARD_COLUMNS.map((s) => [s, leaves.filter((t) => t.status === s).length])) as Record<string, number>;
  const ss = Object.values(sessions.data ?? {});
  const live = ss.filter(isLive);
  const cost = ss.reduce((n, s) => n + s.usage.costUsd, 0);
  const done = counts.done ?? 0;
  return (
    <div className="page page--wide">
      <header className="page__header">
        <div>
          <div className="page__title-row">
            <h1 className="page__title" data-testid="project-name">
              {project.name}
            </h1>
            <StatusBadge status={project.status} />
          </div>
          <p className="page__subtitle page__subtitle--id">
            <span className="mono">{project.id}</span>
            <CopyButton value={project.id} label="Copy project id" />
          </p>
        </div>
        <div className="page__actions">
          <a className="btn btn--ghost" href={projectPath(project.id)} target="_blank" rel="noopener">
            <ExternalIcon size={14} /> New window
          </a>
          <Link className="btn btn--primary" to={projectPath(project.id, 'board')}>
            Open board
          </Link>
        </div>
      </header>

      <div className="stats">
        <div className="stat">
          <span className="stat__label">Tasks done</span>
          <span className="stat__value">
            {done}
            <span className="stat__of">/ {leaves.length}</span>
          </span>
          <div className="stack-bar" aria-hidden="true">
            {BOARD_COLUMNS.filter((s) => counts[s]).map((s) => (
              <span key={s} className={`stack-bar__seg stack-bar__seg--${s}`} style={{ flexGrow: counts[s] }} title={`${TASK_STATUS_LABEL[s]}: ${counts[s]}`} />
            ))}
          </div>
        </div>
        <div className="stat">
          <span className="stat__label">Agents running</span>
          <span className="stat__value">{live.length}</span>
          <span className="stat__sub">{ss.filter((s) => s.status === 'needs_input').length} need input · {ss.length} sessions in all</span>
        </div>
        <div className="stat">
          <span className="stat__label">Ready to start</span>
          <span className="stat__value">{counts.ready ?? 0}</span>
          <span className="stat__sub">{counts.blocked ?? 0} blocked · {counts.in_review ?? 0} in review</span>
        </div>
        <div className="stat">
          <span className="stat__label">Spent</span>
          <span className="stat__value">{formatUsd(cost)}</span>
          <span className="stat__sub">
            <Link to={projectPath(project.id, 'usage')} className="link">
              Usage & metrics →
            </Link>
          </span>
        </div>
      </div>

      <div className="detail-grid">
        <section className="card" aria-labelledby="settings-title">
          <h2 className="card__title" id="settings-title">
            Settings
          </h2>
          <dl className="props" data-testid="project-props">
            <Row label="Repository">
              <span className="mono break">{project.repository.location}</span>
              <CopyButton value={project.repository.location} label="Copy repository" />
            </Row>
            <Row label="Default branch">
              <span className="branch">
                <BranchIcon size={13} />
                <span className="mono">{project.repository.defaultBranch}</span>
              </span>
            </Row>
            <Row label="Concurrency limit">{project.concurrencyLimit === null ? <span className="muted">No limit</span> : `${project.concurrencyLimit} agents at once`}</Row>
            <Row label="Environment">
              {project.envKeys.length ? (
                <span className="chips">
                  {project.envKeys.map((k) => (
                    <span key={k} className="chip mono">
                      {k}
                    </span>
                  ))}
                </span>
              ) : (
                <span className="muted">None</span>
              )}
            </Row>
            <Row label="Created">
              <RelativeTime iso={project.createdAt} /> <span className="muted">· {formatDateTime(project.createdAt)}</span>
            </Row>
            <Row label="Updated">
              <RelativeTime iso={project.updatedAt} /> <span className="muted">· {formatDateTime(project.updatedAt)}</span>
            </Row>
          </dl>
        </section>
        <section className="card" aria-labelledby="recent-title">
          <h2 className="card__title" id="recent-title">
            Recent sessions
          </h2>
          {ss.length === 0 ? (
            <p className="muted">No session yet. Start one from a task.</p>
          ) : (
            <ul className="mini-list">
              {sortSessions(ss)
                .slice(0, 8)
                .map((s) => (
                  <li key={s.id}>
                    <Link to={projectPath(project.id, 'sessions', s.id)} className="mini-list__row">
                      <SessionStatusBadge status={s.status} />
                      <span className="truncate">{sessionLabel(s, tasks.data ?? {})}</span>
                      <span className="muted mini-list__meta">
                        <RelativeTime iso={s.statusSince} />
                      </span>
                    </Link>
                  </li>
                ))}
            </ul>
          )}
        </section>
        <MembersCard projectId={project.id} isAdmin={me.role === 'admin'} />
      </div>
    </div>
  );
}
