import type { ServiceDefinitionWithBackground } from '@baton/service-kit';
import { Projects1700000000100 } from './migrations/1700000000100-projects';
import { Tasks1700000000200 } from './migrations/1700000000200-tasks';
import { Attempts1700000000210 } from './migrations/1700000000210-attempts';
import { PromptTemplates1700000000220 } from './migrations/1700000000220-prompt-templates';
import { promptTemplateDecider } from './prompt-template/prompt-template.decider';
import { attemptMessagesProjection, attemptsProjection } from './read-models/attempts/attempts.projection';
import { attemptQueries } from './read-models/attempts/attempts.queries';
import { metricsQueries } from './read-models/metrics/metrics.queries';
import { projectsProjection } from './read-models/projects/projects.projection';
import { projectQueries } from './read-models/projects/projects.queries';
import { promptTemplatesProjection, promptVersionsProjection } from './read-models/prompt-templates/prompt-templates.projection';
import { promptTemplateQueries } from './read-models/prompt-templates/prompt-templates.queries';
import { taskBoardQueries } from './read-models/task-board/task-board.queries';
import { tasksProjection } from './read-models/tasks/tasks.projection';
import { taskQueries } from './read-models/tasks/tasks.queries';
import { projectAggregateDecider } from './task-graph/project-aggregate.decider';
import { conversationReactor } from './task-graph/reactors';
import { autopilotReactor } from './autopilot/autopilot.reactor';
import { autopilotQueries } from './autopilot/autopilot.status';
import { taskDecider } from './task/task.decider';
import { Users1700000000300 } from './migrations/1700000000300-users';
import { ProjectMembers1700000000400 } from './migrations/1700000000400-project-members';
import { ExternalUsers1700000000500 } from './migrations/1700000000500-external-users';
import { projectMembersProjection } from './read-models/project-members/project-members.projection';
import { projectMemberQueries } from './read-models/project-members/project-members.queries';
import { usersProjection, userTokensProjection } from './read-models/users/users.projection';
import { userQueries } from './read-models/users/users.queries';
import { userDecider } from './user/user.decider';
import { Notifications1700000000600 } from './migrations/1700000000600-notifications';
import { notificationChannelDecider } from './notification/notification-channel.decider';
import { notifier } from './notification/notifier';
import { notificationChannelsProjection, notificationSessionsProjection } from './read-models/notifications/notifications.projection';
import { notificationQueries } from './read-models/notifications/notifications.queries';
import { NotificationDeliveryRowEntity } from './read-models/notifications/notification-rows.entity';

const notifications = notifier();

/** Everything the tasks service owns: its deciders, read models, migrations, queries and reactions. */
export const tasksService: ServiceDefinitionWithBackground = {
  service: 'tasks',
  deciders: [projectAggregateDecider, taskDecider, promptTemplateDecider, userDecider, notificationChannelDecider],
  projections: [projectsProjection, tasksProjection, attemptsProjection, attemptMessagesProjection, promptTemplatesProjection, promptVersionsProjection, usersProjection, userTokensProjection, projectMembersProjection, notificationChannelsProjection, notificationSessionsProjection],
  migrations: [Projects1700000000100, Tasks1700000000200, Attempts1700000000210, PromptTemplates1700000000220, Users1700000000300, ProjectMembers1700000000400, ExternalUsers1700000000500, Notifications1700000000600],
  entities: [NotificationDeliveryRowEntity],
  queries: (read) => ({
    ...projectQueries(read),
    ...taskQueries(read),
    ...taskBoardQueries(read),
    ...attemptQueries(read),
    ...promptTemplateQueries(read),
    ...metricsQueries(read),
    ...userQueries(read),
    ...projectMemberQueries(read),
    ...autopilotQueries(read),
    ...notificationQueries(read),
  }),
  reactors: (read) => [{ name: 'conversation', react: conversationReactor }, { name: 'autopilot', react: autopilotReactor }, notifications.reactor(read)],
  background: (ctx) => notifications.background(ctx),
};
