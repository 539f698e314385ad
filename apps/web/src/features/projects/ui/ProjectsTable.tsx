import type { ProjectView } from '../../../api/types';
import { projectPath } from '../../../app/routes';
import { Link, navigate } from '../../../app/router';
import { BranchIcon, ExternalIcon } from '../../../shared/ui/icons';
import { RelativeTime } from '../../../shared/ui/RelativeTime';
import { StatusBadge } from './StatusBadge';

export function ProjectsTable({ items, highlightId }: { items: ProjectView[]; highlightId: string | null }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="projects-table">
        <thead>
          <tr>
            <th style={{ width: '26%' }}>Name</th>
            <th>Repository</th>
            <th style={{ width: '14%' }}>Branch</th>
            <th style={{ width: '10%' }}>Status</th>
            <th style={{ width: '12%' }}>Created</th>
            <th style={{ width: 44 }} aria-label="Open" />
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr
              key={p.id}
              className={`table__row${p.id === highlightId ? ' table__row--new' : ''}`}
              onClick={(e) => {
                // The name is the real link; the rest of the row is a bigger target for the mouse.
                if (!(e.target as HTMLElement).closest('a, button') && !window.getSelection()?.toString()) navigate(projectPath(p.id));
              }}
              data-testid="project-row"
            >
              <td>
                <Link to={projectPath(p.id)} className="table__primary">
                  {p.name}
                </Link>
                {p.id === highlightId && <span className="tag tag--accent">new</span>}
              </td>
              <td>
                <span className="mono truncate" title={p.repository.location}>
                  {p.repository.location}
                </span>
              </td>
              <td>
                <span className="branch">
                  <BranchIcon size={13} />
                  <span className="mono truncate">{p.repository.defaultBranch}</span>
                </span>
              </td>
              <td>
                <StatusBadge status={p.status} />
              </td>
              <td className="muted">
                <RelativeTime iso={p.createdAt} />
              </td>
              <td className="table__chevron">
                {/* Each project is a window of its own: it follows only its project's live room. */}
                <a href={projectPath(p.id)} target="_blank" rel="noopener" className="icon-btn icon-btn--sm" title="Open in its own tab" aria-label={`Open ${p.name} in its own tab`}>
                  <ExternalIcon size={13} />
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ProjectsTableSkeleton() {
  return (
    <div className="table-wrap" aria-busy="true" aria-label="Loading projects">
      <table className="table">
        <tbody>
          {[0, 1, 2, 3].map((i) => (
            <tr key={i}>
              <td colSpan={6}>
                <span className="skeleton" style={{ width: `${60 - i * 9}%` }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
