import type { RouteSpec } from './route';
import { AdminRoutes } from './routes/admin.routes';
import { AuthRoutes } from './routes/auth.routes';
import { AttemptRoutes } from './routes/attempts.routes';
import { AutopilotRoutes } from './routes/autopilot.routes';
import { DocsRoutes } from './routes/docs.routes';
import { MemberRoutes } from './routes/members.routes';
import { MetricsRoutes } from './routes/metrics.routes';
import { NotificationRoutes } from './routes/notifications.routes';
import { ProjectRoutes } from './routes/projects.routes';
import { PromptRoutes } from './routes/prompts.routes';
import { ReviewRoutes } from './routes/review.routes';
import { RunnerRoutes } from './routes/runners.routes';
import { AgentRoutes, SessionRoutes } from './routes/sessions.routes';
import { TaskRoutes } from './routes/tasks.routes';
import { TemplateRoutes } from './routes/templates.routes';
import { TransferRoutes } from './routes/transfer.routes';
import { HealthRoutes, UserRoutes } from './routes/users.routes';

/** Every route the gateway serves, in the order the document lists them. */
export const ALL_ROUTES: readonly RouteSpec[] = [
  ProjectRoutes,
  MemberRoutes,
  TaskRoutes,
  AttemptRoutes,
  ReviewRoutes,
  AutopilotRoutes,
  SessionRoutes,
  AgentRoutes,
  TemplateRoutes,
  RunnerRoutes,
  PromptRoutes,
  MetricsRoutes,
  TransferRoutes,
  UserRoutes,
  NotificationRoutes,
  AuthRoutes,
  AdminRoutes,
  DocsRoutes,
  HealthRoutes,
].flatMap((group) => Object.values(group) as RouteSpec[]);

export const TAGS: { name: string; description: string }[] = [
  { name: 'projects', description: 'Projects: a repository, its settings, its members and its tasks.' },
  { name: 'tasks', description: 'The task tree (parentId) and dependency DAG (dependsOn, AND semantics); statuses are derived by the tasks service.' },
  { name: 'attempts', description: 'Attempts on a task (at most one active), their conversations and review loop.' },
  { name: 'review', description: "An attempt's diff and merge, served by the runner that holds its worktree." },
  { name: 'autopilot', description: 'Autopilot: ready tasks start, retry, merge and block on their own; planners decompose goals into subtasks.' },
  { name: 'sessions', description: 'Sessions: agents and commands in PTYs on runners; timelines, replay, recordings, usage; a project\'s startup and shutdown.' },
  { name: 'agents', description: 'What agents call with their session token (BATON_TOKEN, `bat_s.…`): register, report, queue, spawn workers — on their own session only.' },
  { name: 'templates', description: 'Session templates: what to run (argv, env, restart policy, output patterns), built-in or per project, versioned.' },
  { name: 'runners', description: 'Runner machines: capacity, labels, liveness.' },
  { name: 'prompts', description: 'Prompt templates with immutable versions, and rendering for a task.' },
  { name: 'metrics', description: 'Project and prompt-version metrics.' },
  { name: 'transfer', description: "A project's plan as JSON: export and import." },
  { name: 'users', description: 'Users, roles and bearer tokens.' },
  { name: 'notifications', description: 'Outbound webhooks (generic JSON, Slack-compatible, ntfy), signed and retried, for what needs a person; their rules and delivery log.' },
  { name: 'auth', description: 'Signing in: the methods offered, and single sign-on through an OpenID Connect provider (browser redirects).' },
  { name: 'admin', description: 'Operating an installation (admins): read models rebuilt or verified against the log, streams and consumer lag.' },
  { name: 'docs', description: 'This API description.' },
  { name: 'health', description: 'Liveness and readiness (no token).' },
];
