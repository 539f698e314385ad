import { Registry } from './registry';
import { projectCommands } from './project/project.commands';
import { projectEvents, type ProjectEvent } from './project/project.events';
import { projectMembershipEvents, type ProjectMembershipEvent } from './project/project-membership.events';
import { projectMembershipCommands } from './project/project-membership.commands';
import { runnerEvents, type RunnerEvent } from './runner/runner.events';
import { sessionTemplateEvents, type SessionTemplateEvent } from './session-template/session-template.events';
import { sessionEvents, type SessionEvent } from './session/session.events';
import { sessionCommands, attemptSeatCommands, projectStackCommands } from './session/session.commands';
import { attemptSeatEvents, projectStackEvents, type AttemptSeatEvent, type ProjectStackEvent } from './session/session-coordination.events';
import { sessionTemplateCommands } from './session-template/session-template.commands';
import { runnerCommands } from './runner/runner.commands';
import { taskEvents, type TaskEvent } from './task/task.events';
import { taskCommands } from './task/task.commands';
import { taskGraphEvents, type TaskGraphEvent } from './project/task-graph.events';
import { taskGraphCommands } from './project/task-graph.commands';
import { autopilotEvents, type AutopilotEvent } from './project/autopilot.events';
import { autopilotCommands } from './project/autopilot.commands';
import { promptTemplateEvents, type PromptTemplateEvent } from './prompt-template/prompt-template.events';
import { promptTemplateCommands } from './prompt-template/prompt-template.commands';
import { userEvents, type UserEvent } from './user/user.events';
import { userCommands } from './user/user.commands';
import { notificationEvents, type NotificationEvent } from './notification/notification.events';
import { notificationCommands } from './notification/notification.commands';

/** The one registry of every event and command type in Baton. */
export const registry = new Registry()
  .registerEvents(...projectEvents, ...taskEvents, ...sessionEvents, ...sessionTemplateEvents, ...runnerEvents)
  .registerEvents(...taskGraphEvents, ...promptTemplateEvents)
  .registerEvents(...autopilotEvents)
  .registerEvents(...userEvents)
  .registerEvents(...projectMembershipEvents)
  .registerEvents(...notificationEvents)
  .registerEvents(...attemptSeatEvents, ...projectStackEvents)
  .registerCommands(...projectCommands)
  .registerCommands(...taskGraphCommands, ...taskCommands, ...promptTemplateCommands)
  .registerCommands(...autopilotCommands)
  .registerCommands(...userCommands)
  .registerCommands(...projectMembershipCommands)
  .registerCommands(...notificationCommands)
  .registerCommands(...sessionCommands, ...attemptSeatCommands, ...projectStackCommands, ...sessionTemplateCommands, ...runnerCommands);

export type DomainEvent = ProjectEvent | TaskEvent | SessionEvent | SessionTemplateEvent | RunnerEvent | TaskGraphEvent | PromptTemplateEvent | UserEvent | AttemptSeatEvent | ProjectStackEvent | AutopilotEvent | ProjectMembershipEvent | NotificationEvent;
