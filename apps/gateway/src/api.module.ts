import { Module } from '@nestjs/common';
import { loadConfig } from '@baton/service-kit';
import { AdminClient } from './admin/admin-client';
import { AdminController } from './admin/admin.controller';
import { AgentScope } from './agents/agent-scope';
import { AgentsController } from './agents/agents.controller';
import { AttemptsController } from './attempts/attempts.controller';
import { AutopilotController } from './autopilot/autopilot.controller';
import { AgentAuthModule } from './auth/agent-auth.module';
import { OidcController } from './auth/oidc/oidc.controller';
import { OIDC_PROVIDERS } from './auth/oidc/oidc.providers';
import { MembersController } from './membership/members.controller';
import { NotificationsController } from './notifications/notifications.controller';
import { ProjectFinder } from './membership/project-finder';
import { MetricsController } from './metrics/metrics.controller';
import { CommandSender } from './openapi/edge';
import { DocsController } from './openapi/docs.controller';
import { ProjectsController } from './projects/projects.controller';
import { PromptsController } from './prompts/prompts.controller';
import { ReviewController } from './review/review.controller';
import { RunnerClient } from './review/runner-client';
import { heartbeatUrls, RunnerDirectory, RunnerProxyConfigSchema } from './review/runner-directory';
import { Broker, EventStore, QueryClient } from '@baton/event-store';
import { registry } from '@baton/events';
import { RunnerLiveness } from './runners/runner-liveness';
import { RunnersController } from './runners/runners.controller';
import { ProjectStackController } from './sessions/project-stack.controller';
import { SessionHistoryController } from './sessions/session-history.controller';
import { SessionRequests } from './sessions/session-requests';
import { SessionsController } from './sessions/sessions.controller';
import { TaskLocator } from './tasks/task-locator';
import { TaskWorkflowController } from './tasks/task-workflow.controller';
import { TasksController } from './tasks/tasks.controller';
import { TemplatesController } from './templates/templates.controller';
import { TransferController } from './transfer/transfer.controller';
import { UsersController } from './users/users.controller';

/** Every REST controller of the gateway. Providers (buses, auth) come from the root module. */
export const API_CONTROLLERS = [
  ProjectsController,
  MembersController,
  NotificationsController,
  TasksController,
  TaskWorkflowController,
  AttemptsController,
  ReviewController,
  AutopilotController,
  SessionsController,
  SessionHistoryController,
  ProjectStackController,
  AgentsController,
  TemplatesController,
  RunnersController,
  PromptsController,
  MetricsController,
  TransferController,
  DocsController,
  UsersController,
  OidcController,
  AdminController,
];

@Module({
  // Session-token authentication for the root module's auth guard (global once imported).
  imports: [AgentAuthModule],
  controllers: API_CONTROLLERS,
  providers: [
    CommandSender,
    AdminClient,
    TaskLocator,
    SessionRequests,
    AgentScope,
    RunnerLiveness,
    RunnerClient,
    ...OIDC_PROVIDERS,
    { provide: ProjectFinder, inject: [QueryClient, TaskLocator, Broker], useFactory: (q: QueryClient, tasks: TaskLocator, broker: Broker) => new ProjectFinder(q, tasks, new EventStore(broker, registry)) },
    // Checked at boot: a malformed BATON_RUNNER_URLS stops the gateway, naming it.
    { provide: RunnerDirectory, inject: [Broker], useFactory: (broker: Broker) => RunnerDirectory.fromConfig(loadConfig(RunnerProxyConfigSchema), heartbeatUrls(broker)) },
  ],
})
export class ApiModule {}
