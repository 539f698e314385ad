import { IdSchema } from '@baton/events';
import type { Owned } from './project-finder';

/*
 * Where each REST route's project comes from (docs/decisions/0023), by operationId. A user who
 * is not an admin reaches a route only through a project it is a member of, with the role the
 * route needs there; the ProjectScopeGuard resolves what the route names to its project. A
 * route missing here is admin-only for users (a spec checks that every route is listed).
 */

/** The request's parts, already validated with the route's own schemas. */
export interface ScopeInput {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
}

/**
 * Something the route acts on, whose project the guard finds; `installation-wide`: a template
 * of every project (as is one whose lookup finds no project), which only admins change.
 */
export type ScopeTarget = { what: Owned; id: string; ifExists?: true } | { what: 'installation-wide' };

export type RouteScope =
  /** Not about one project: the user's global role decides (users, runners, docs, creating a project). */
  | { kind: 'installation' }
  /** A list the handler narrows to the user's projects (or a `projectId` filter, checked here). */
  | { kind: 'listed'; targets(input: ScopeInput): ScopeTarget[] }
  /** What the route names; each must be in a project the user may act on. An installation-wide template (no project) is changed by admins only. */
  | { kind: 'owned'; targets(input: ScopeInput): ScopeTarget[]; crossProject?: (input: ScopeInput) => boolean };

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const param = (what: Owned, name = 'id'): RouteScope => ({ kind: 'owned', targets: ({ params }) => [{ what, id: str(params[name])! }] });
const project = (name = 'id') => param('project', name);
const task = param('task');
const attempt = param('attempt');
const session = param('session');
const installation: RouteScope = { kind: 'installation' };
/** The optional `projectId` of the query narrows a list: checked when given. */
const queryProject: RouteScope = { kind: 'listed', targets: ({ query }) => (str(query.projectId) ? [{ what: 'project', id: str(query.projectId)! }] : []) };

/** `projectId` of a body that creates a template: a project's, or absent/null: the installation's. A malformed one is left to the body's schema (400). */
function bodyProject(body: unknown): ScopeTarget[] {
  const value = (body as { projectId?: unknown } | null | undefined)?.projectId;
  if (value === undefined || value === null) return [{ what: 'installation-wide' }];
  const id = IdSchema.safeParse(value);
  return id.success ? [{ what: 'project', id: id.data }] : [];
}

export const ROUTE_SCOPES: Record<string, RouteScope> = {
  // projects
  createProject: installation,
  listProjects: { kind: 'listed', targets: () => [] },
  getProject: project(),
  renameProject: project(),
  changeProjectSettings: project(),
  archiveProject: project(),
  unarchiveProject: project(),
  deleteProject: project(),
  listProjectMembers: project(),
  addProjectMember: project(),
  changeProjectMemberRole: project(),
  removeProjectMember: project(),
  // tasks
  createTask: project('projectId'),
  listTasks: project('projectId'),
  taskBoard: project('projectId'),
  getTask: task,
  editTask: task,
  moveTask: task,
  addTaskDependency: task,
  removeTaskDependency: task,
  completeTask: task,
  failTask: task,
  cancelTask: task,
  reopenTask: task,
  removeTask: task,
  taskUnblocks: task,
  taskHistory: task,
  // attempts and review
  startAttempt: task,
  listAttempts: task,
  getAttempt: attempt,
  addAttemptMessage: attempt,
  listAttemptMessages: attempt,
  finishAttempt: attempt,
  requestAttemptReview: attempt,
  requestAttemptChanges: attempt,
  getAttemptDiff: attempt,
  mergeAttempt: attempt,
  // autopilot
  getAutopilot: project('projectId'),
  configureAutopilot: project('projectId'),
  pauseAutopilot: project('projectId'),
  resumeAutopilot: project('projectId'),
  getMergeTrain: project('projectId'),
  configureMergeTrain: project('projectId'),
  decomposeTask: task,
  recordTaskPlan: task,
  reviewTaskPlan: task,
  autopilotMergeTask: task,
  // sessions
  spawnSession: project(),
  spawnSessionInAttempt: attempt,
  followUpAttempt: attempt,
  listSessions: queryProject,
  getSession: session,
  stopSession: session,
  sendSessionInput: session,
  answerSessionPermission: session,
  getSessionTimeline: session,
  replaySession: session,
  exportSession: session,
  pendingSessions: queryProject,
  projectUsage: project(),
  openProject: project(),
  closeProject: project(),
  // agent routes, when a user calls them: the session's project
  agentSelf: installation,
  registerSession: session,
  reportSessionStatus: session,
  reportSessionTimeline: session,
  reportSessionUsage: session,
  queueNext: session,
  queueComplete: session,
  queueFail: session,
  queueSkip: session,
  spawnWorker: session,
  // session templates: a project's own, or the installation's (null project)
  listSessionTemplates: queryProject,
  listProjectSessionTemplates: project(),
  getSessionTemplate: queryProject,
  // A new version of an existing template: that template's project too (a new id: only the body's).
  defineSessionTemplate: {
    kind: 'owned',
    targets: ({ body }) => {
      const id = str((body as { id?: unknown }).id);
      return [...bodyProject(body), ...(id ? [{ what: 'session template' as const, id, ifExists: true as const }] : [])];
    },
  },
  removeSessionTemplate: param('session template'),
  // prompt templates
  createPromptTemplate: { kind: 'owned', targets: ({ body }) => bodyProject(body) },
  listPromptTemplates: queryProject,
  getPromptTemplate: param('prompt template'),
  addPromptVersion: param('prompt template'),
  renamePromptTemplate: param('prompt template'),
  archivePromptTemplate: param('prompt template'),
  getPromptVersion: param('prompt version'),
  renderPrompt: {
    kind: 'owned',
    targets: ({ params, body }) => [
      { what: 'prompt version', id: str(params.id)! },
      { what: 'task', id: str((body as { taskId?: unknown }).taskId)! },
    ],
  },
  // metrics and transfer
  projectMetrics: project(),
  projectMetricsCsv: project(),
  promptMetrics: {
    kind: 'owned',
    targets: ({ query }) => (str(query.projectId) ? [{ what: 'project', id: str(query.projectId)! }] : [{ what: 'prompt template', id: str(query.templateId)! }]),
    // A template's figures over every project that used it: admins only, unless narrowed to a project.
    crossProject: ({ query }) => !str(query.projectId),
  },
  exportTaskTree: project(),
  importTaskTree: project(),
  // the installation
  listRunners: installation,
  getRunner: installation,
  drainRunner: installation,
  setRunnerCapacity: installation,
  me: installation,
  listUsers: installation,
  createUser: installation,
  issueUserToken: installation,
  revokeUserToken: installation,
  changeUserRole: installation,
  adminStreams: installation,
  adminReadModels: installation,
  adminReadModel: installation,
  rebuildReadModel: installation,
  verifyReadModels: installation,
  // notifications: a channel is its owner's (the controller answers 404 to anyone else but an
  // admin); a project's channel needs the route's role in that project.
  listNotificationChannels: installation,
  createNotificationChannel: { kind: 'listed', targets: ({ body }) => bodyProject(body).filter((t) => t.what === 'project') },
  getNotificationChannel: installation,
  changeNotificationRules: installation,
  removeNotificationChannel: installation,
  testNotificationChannel: installation,
  listNotificationDeliveries: installation,
};
