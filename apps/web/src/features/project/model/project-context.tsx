import { createContext, useContext, type ReactNode } from 'react';
import type { ProjectView } from '@baton/contracts';
import { liveRoom } from '../../../live/rooms';
import { useLiveResource, type LiveResource } from '../../../live/use-live';
import { sessionsApi } from '../../sessions/model/sessions-api';
import { applySessionEvent, sessionEventNeedsReconcile, toSessionMap, type SessionMap } from '../../sessions/model/sessions.store';
import { tasksApi } from '../../tasks/model/tasks-api';
import { applyTaskEvent, taskEventNeedsReconcile, toTaskMap, type TaskMap } from '../../tasks/model/tasks.store';

export interface ProjectWindow {
  project: ProjectView;
  tasks: LiveResource<TaskMap>;
  sessions: LiveResource<SessionMap>;
}

const Ctx = createContext<ProjectWindow | null>(null);

/**
 * A project window holds the project's live state for every tab in it: the tasks and the
 * sessions, each a snapshot plus the events of `project:<id>` (the only room it follows).
 */
export function ProjectProvider({ project, children }: { project: ProjectView; children: ReactNode }) {
  const rooms = [liveRoom.project(project.id)];
  const tasks = useLiveResource<TaskMap>({
    key: `tasks:${project.id}`,
    rooms,
    load: async (minSeq, signal) => toTaskMap(await tasksApi.all(project.id, minSeq, signal)),
    apply: (m, msg) => applyTaskEvent(m, msg, project.id),
    reconcile: taskEventNeedsReconcile,
  });
  const sessions = useLiveResource<SessionMap>({
    key: `sessions:${project.id}`,
    rooms,
    load: async (minSeq, signal) => toSessionMap((await sessionsApi.list({ projectId: project.id, limit: 1_000 }, minSeq, signal)).items),
    apply: (m, msg) => applySessionEvent(m, msg, project.id),
    reconcile: sessionEventNeedsReconcile,
  });
  return <Ctx.Provider value={{ project, tasks, sessions }}>{children}</Ctx.Provider>;
}

export function useProjectWindow(): ProjectWindow {
  const v = useContext(Ctx);
  if (!v) throw new Error('useProjectWindow outside a project window');
  return v;
}
