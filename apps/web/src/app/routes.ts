/** Every screen the app has, as data: the router matches a path to one of these. */
export type ProjectTab = 'overview' | 'board' | 'tasks' | 'graph' | 'task' | 'autopilot' | 'sessions' | 'session' | 'timeline' | 'replay' | 'review' | 'usage';

export type Route =
  | { name: 'projects' }
  | { name: 'project'; id: string; tab: ProjectTab; sub: string | null }
  | { name: 'fleet' }
  | { name: 'inbox' }
  | { name: 'notifications' }
  | { name: 'not_found'; path: string };

export type Section = 'projects' | 'fleet' | 'inbox' | 'notifications';

/** Paths the app moves to on its own (`/` is the projects list). */
export function redirectFor(path: string): string | null {
  return path === '/' || path === '' ? '/projects' : null;
}

/** Project tabs and whether they take an id after them (`/sessions/<id>`). */
const TABS: Record<string, { tab: ProjectTab; withSub?: ProjectTab; subOptional?: boolean }> = {
  board: { tab: 'board' },
  tasks: { tab: 'tasks', withSub: 'task' },
  graph: { tab: 'graph' },
  autopilot: { tab: 'autopilot' },
  sessions: { tab: 'sessions', withSub: 'session' },
  timeline: { tab: 'timeline' },
  replay: { tab: 'replay', withSub: 'replay' },
  review: { tab: 'review', withSub: 'review' },
  usage: { tab: 'usage' },
};

function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

export function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const parts = path.split('/').filter(Boolean);
  const [first, second, third, fourth, ...rest] = parts;
  if (first === 'projects' && second === undefined) return { name: 'projects' };
  if (first === 'fleet' && second === undefined) return { name: 'fleet' };
  if (first === 'inbox' && second === undefined) return { name: 'inbox' };
  if (first === 'notifications' && second === undefined) return { name: 'notifications' };
  if (first === 'projects' && second && rest.length === 0) {
    const id = decode(second);
    if (id === null) return { name: 'not_found', path };
    if (third === undefined) return { name: 'project', id, tab: 'overview', sub: null };
    const t = TABS[third];
    if (!t) return { name: 'not_found', path };
    if (fourth === undefined) return { name: 'project', id, tab: t.tab, sub: null };
    const sub = decode(fourth);
    if (!t.withSub || sub === null) return { name: 'not_found', path };
    return { name: 'project', id, tab: t.withSub, sub };
  }
  return { name: 'not_found', path };
}

export function sectionOf(route: Route): Section | null {
  switch (route.name) {
    case 'projects':
    case 'project':
      return 'projects';
    case 'fleet':
      return 'fleet';
    case 'inbox':
      return 'inbox';
    case 'notifications':
      return 'notifications';
    case 'not_found':
      return null;
  }
}

export const projectPath = (id: string, ...rest: string[]) => [`/projects/${encodeURIComponent(id)}`, ...rest.map(encodeURIComponent)].join('/');
