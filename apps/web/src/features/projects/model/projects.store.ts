import type { Page, ProjectView } from '../../../api/types';

export const PAGE_SIZE = 50;

export interface ProjectsState {
  status: 'loading' | 'ready' | 'error';
  items: ProjectView[];
  total: number;
  offset: number;
  error: string | null;
  /** The load whose answer counts; answers to older loads are dropped. */
  loadId: number;
  /** The project just created here, marked in the table until the operator moves on. */
  highlightId: string | null;
}

export type ProjectsAction =
  | { type: 'load_started'; loadId: number; offset: number }
  | { type: 'load_succeeded'; loadId: number; page: Page<ProjectView> }
  | { type: 'load_failed'; loadId: number; error: string }
  | { type: 'project_created'; project: ProjectView }
  | { type: 'highlight_cleared' };

export const initialProjectsState = (): ProjectsState => ({ status: 'loading', items: [], total: 0, offset: 0, error: null, loadId: 0, highlightId: null });

/** The list's order, the same as the API's: by name, then id. */
export function compareProjects(a: ProjectView, b: ProjectView): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Puts a project in its place in a sorted list, replacing an older copy of it. */
export function upsertProject(items: readonly ProjectView[], project: ProjectView): ProjectView[] {
  const rest = items.filter((p) => p.id !== project.id);
  const at = rest.findIndex((p) => compareProjects(project, p) < 0);
  return at === -1 ? [...rest, project] : [...rest.slice(0, at), project, ...rest.slice(at)];
}

export function projectsReducer(state: ProjectsState, action: ProjectsAction): ProjectsState {
  switch (action.type) {
    case 'load_started':
      // Keep showing the rows we have (and their offset) while the next answer is on its way.
      return { ...state, status: state.status === 'ready' ? 'ready' : 'loading', loadId: action.loadId, error: null };
    case 'load_succeeded':
      if (action.loadId !== state.loadId) return state;
      return { ...state, status: 'ready', items: action.page.items, total: action.page.total, offset: action.page.offset, error: null };
    case 'load_failed':
      if (action.loadId !== state.loadId) return state;
      // Rows already on screen stay there, under the error, rather than vanish.
      return { ...state, status: state.status === 'ready' ? 'ready' : 'error', error: action.error };
    case 'project_created': {
      const known = state.items.some((p) => p.id === action.project.id);
      return { ...state, status: 'ready', items: upsertProject(state.items, action.project), total: known ? state.total : state.total + 1, highlightId: action.project.id };
    }
    case 'highlight_cleared':
      return state.highlightId === null ? state : { ...state, highlightId: null };
    default: {
      const never: never = action;
      return never;
    }
  }
}
