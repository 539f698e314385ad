import { ATTEMPT_SEAT_PREFIX, PROJECT_STACK_PREFIX, type RecordedEvent } from '@baton/events';
import { liveRoom, type LiveRoom } from '@baton/contracts';
import type { AggregateDirectory } from './aggregate-directory';

/** Where an event goes. `everyProject`: a global template, which every project's room shows. */
export interface EventRoute {
  rooms: LiveRoom[];
  everyProject: boolean;
}

export const NOWHERE: EventRoute = { rooms: [], everyProject: false };

type Data = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * `project:<id>` for everything that belongs to a project (the project, its tasks, sessions,
 * templates), `session:<id>` for a session's own events and those naming it (its attempt
 * seat, its step in a startup sequence, its messages), `runner:<id>` for a runner's events.
 * User events go nowhere: they are about accounts, not work.
 */
export function routeOf(e: RecordedEvent, projectId: string | null): EventRoute {
  const rooms = new Set<LiveRoom>();
  const { type, id } = e.aggregate;
  const d = (e.data ?? {}) as Data;
  if (projectId) rooms.add(liveRoom.project(projectId));
  if (type === 'session' && !id.startsWith(ATTEMPT_SEAT_PREFIX) && !id.startsWith(PROJECT_STACK_PREFIX)) rooms.add(liveRoom.session(id));
  const named = str(d.sessionId) ?? str((d.request as Data | undefined)?.sessionId);
  if (named && (type === 'session' || type === 'task')) rooms.add(liveRoom.session(named));
  if (type === 'runner') rooms.add(liveRoom.runner(id));
  const globalTemplate = (type === 'session_template' || type === 'prompt_template') && projectId === null;
  return { rooms: [...rooms], everyProject: globalTemplate };
}

/** Routes with the directory: synchronously when the project is known, else after a lookup. */
export function makeRouter(dir: AggregateDirectory): (e: RecordedEvent) => EventRoute | Promise<EventRoute> {
  return (e) => {
    const known = dir.knownProjectOf(e);
    if (known !== undefined) return routeOf(e, known);
    return dir.projectOf(e).then((projectId) => routeOf(e, projectId));
  };
}
