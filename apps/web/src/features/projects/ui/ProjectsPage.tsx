import { useCallback, useEffect, useState } from 'react';
import type { ProjectView } from '../../../api/types';
import { ErrorBanner } from '../../../shared/ui/Banner';
import { FolderIcon, PlusIcon, RefreshIcon } from '../../../shared/ui/icons';
import { hasRole } from '../../auth/model/session';
import { useMe } from '../../auth/model/use-session';
import { PAGE_SIZE } from '../model/projects.store';
import { useProjects } from '../model/use-projects';
import { NewProjectDrawer } from './NewProjectDrawer';
import { ProjectsTable, ProjectsTableSkeleton } from './ProjectsTable';
import { setPageTitle } from '../../../shared/lib/title';

export function ProjectsPage() {
  const { state, reload, goTo, created, clearHighlight } = useProjects();
  const me = useMe();
  const canCreate = hasRole(me, 'operator');
  const createTitle = canCreate ? undefined : `Creating projects needs the operator role; you are a ${me.role}.`;
  const [creating, setCreating] = useState(false);
  const openForm = useCallback(() => setCreating(true), []);
  const closeForm = useCallback(() => setCreating(false), []);
  const onCreated = useCallback((p: ProjectView) => created(p), [created]);

  useEffect(() => {
    setPageTitle('Projects · Baton');
  }, []);
  // The "new" mark fades after a while; it is there to be found, not to stay.
  useEffect(() => {
    if (!state.highlightId) return;
    const t = setTimeout(clearHighlight, 8_000);
    return () => clearTimeout(t);
  }, [state.highlightId, clearHighlight]);

  const first = state.items.length ? state.offset + 1 : 0;
  const last = state.offset + state.items.length;

  return (
    <div className="page">
      <header className="page__header">
        <div>
          <h1 className="page__title">Projects</h1>
          <p className="page__subtitle">Repositories your agents work in. Each one holds its tasks, attempts and sessions.</p>
        </div>
        <div className="page__actions">
          <button type="button" className="btn btn--ghost btn--icon" onClick={() => void reload()} aria-label="Refresh" title="Refresh">
            <RefreshIcon />
          </button>
          <button type="button" className="btn btn--primary" onClick={openForm} disabled={!canCreate} title={createTitle}>
            <PlusIcon />
            New project
          </button>
        </div>
      </header>

      {state.error && (
        <ErrorBanner
          action={
            <button type="button" className="btn btn--ghost btn--sm" onClick={() => void reload()}>
              Retry
            </button>
          }
        >
          Could not load projects. {state.error}
        </ErrorBanner>
      )}

      {state.status === 'loading' && <ProjectsTableSkeleton />}

      {state.status === 'ready' && state.total === 0 && (
        <div className="empty" data-testid="projects-empty">
          <div className="empty__icon">
            <FolderIcon size={22} />
          </div>
          <h2 className="empty__title">No projects yet</h2>
          <p className="empty__text">
            {canCreate ? 'A project points Baton at a git repository. Create one to start giving tasks to agents.' : 'A project points Baton at a git repository. Ask an operator or admin to create one.'}
          </p>
          {canCreate && (
            <button type="button" className="btn btn--primary" onClick={openForm}>
              <PlusIcon />
              New project
            </button>
          )}
        </div>
      )}

      {state.status === 'ready' && state.items.length > 0 && (
        <>
          <ProjectsTable items={state.items} highlightId={state.highlightId} />
          <footer className="table-footer">
            <span className="muted">
              {state.total > state.items.length ? `${first}–${last} of ${state.total} projects` : `${state.total} ${state.total === 1 ? 'project' : 'projects'}`}
            </span>
            {state.total > PAGE_SIZE && (
              <div className="pager">
                <button type="button" className="btn btn--ghost btn--sm" disabled={state.offset === 0} onClick={() => void goTo(state.offset - PAGE_SIZE)}>
                  Previous
                </button>
                <button type="button" className="btn btn--ghost btn--sm" disabled={last >= state.total} onClick={() => void goTo(state.offset + PAGE_SIZE)}>
                  Next
                </button>
              </div>
            )}
          </footer>
        </>
      )}

      <NewProjectDrawer open={creating && canCreate} onClose={closeForm} onCreated={onCreated} />
    </div>
  );
}
