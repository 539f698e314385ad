import type { Broker, EventStore } from '@baton/event-store';
import { QueryError } from '@baton/event-store';
import type { BackgroundTask, ServiceDefinitionWithBackground } from '@baton/service-kit';
import { attemptSeatDecider } from './attempt-seat/attempt-seat.decider';
import { Sessions1700000000300 } from './migrations/1700000000300-sessions';
import { SessionRunnerIds1700000000350 } from './migrations/1700000000350-session-runner-ids';
import { SessionTimeline1700000000310 } from './migrations/1700000000310-session-timeline';
import { SessionTemplates1700000000320 } from './migrations/1700000000320-session-templates';
import { Runners1700000000330 } from './migrations/1700000000330-runners';
import { SessionProjects1700000000340 } from './migrations/1700000000340-session-projects';
import { projectStackDecider } from './project-stack/project-stack.decider';
import { sessionsReactors } from './reactors/sessions.reactors.runtime';
import { runnersProjection } from './read-models/runners/runners.projection';
import { runnerQueries } from './read-models/runners/runners.queries';
import { projectSettingsProjection } from './read-models/session-projects/project-settings.projection';
import { projectSettingsQueries } from './read-models/session-projects/project-settings.queries';
import { sessionTemplatesProjection } from './read-models/session-templates/templates.projection';
import { templateQueries } from './read-models/session-templates/templates.queries';
import { sessionTimelineProjection } from './read-models/session-timeline/timeline.projection';
import { timelineQueries } from './read-models/session-timeline/timeline.queries';
import { sessionUsageProjection } from './read-models/session-usage/usage.projection';
import { sessionsProjection } from './read-models/sessions/sessions.projection';
import { sessionQueries } from './read-models/sessions/sessions.queries';
import { runnerDecider } from './runner/runner.decider';
import { sessionTemplateDecider } from './session-template/session-template.decider';
import { sessionDecider } from './session/session.decider';
import { replayQueries, type LoadSessionEvents } from './session/replay.queries';
import { exportQueries } from './export/export.queries';
import { schedulerQueries } from './runtime/scheduler-waiting';
import type { SessionsConfig } from './runtime/sessions-config';

export interface SessionsServiceOptions {
  /** Settings instead of (over) the environment's; tests run replicas in one process with them. */
  config?: Partial<SessionsConfig>;
  env?: NodeJS.ProcessEnv;
}

/**
 * Everything the sessions service owns: deciders, read models, migrations, queries and
 * reactions, and its background work (scheduler, liveness watcher, timers, runner
 * dispatcher — leader loops, see runtime/). `replay_session` and the exports read the log:
 * the event store reaches them through this closure once the runtime has opened it.
 */
export function createSessionsService(opts: SessionsServiceOptions = {}): ServiceDefinitionWithBackground {
  let store: EventStore | null = null;
  let broker: Broker | null = null;
  const loadSessionEvents: LoadSessionEvents = async (sessionId) => {
    if (!store) throw new QueryError('unavailable', 'the sessions service is still starting');
    return (await store.load({ type: 'session', id: sessionId })).events;
  };
  return {
    service: 'sessions',
    deciders: [sessionDecider, attemptSeatDecider, projectStackDecider, sessionTemplateDecider, runnerDecider],
    projections: [sessionsProjection, sessionTimelineProjection, sessionTemplatesProjection, runnersProjection, sessionUsageProjection, projectSettingsProjection],
    migrations: [Sessions1700000000300, SessionTimeline1700000000310, SessionTemplates1700000000320, Runners1700000000330, SessionProjects1700000000340, SessionRunnerIds1700000000350],
    queries: (read) => ({
      ...sessionQueries(read),
      ...timelineQueries(read),
      ...templateQueries(read),
      ...runnerQueries(read),
      ...projectSettingsQueries(read),
      ...replayQueries(loadSessionEvents),
      ...exportQueries(loadSessionEvents, () => broker),
      ...schedulerQueries(() => broker),
    }),
    reactors: (read) => sessionsReactors(read),
    background: (ctx) => {
      store = ctx.store;
      broker = ctx.broker;
      // The runtime side (leader loops, dispatcher, config) is loaded when the service starts:
      // it imports @baton/service-kit's values, whose index pulls in NestJS (an ES module jest
      // cannot require), and specs that only read this definition must not load that.
      let running: BackgroundTask[] = [];
      return [
        {
          name: 'sessions-background',
          start: async () => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on start only, see above
            const { sessionsBackground } = require('./runtime/sessions-background') as typeof import('./runtime/sessions-background');
            running = sessionsBackground(ctx, opts).tasks;
            for (const [i, task] of running.entries()) {
              await task.start().catch((e: unknown) => {
                running = running.slice(0, i);
                throw e;
              });
            }
          },
          stop: async () => {
            for (const task of [...running].reverse()) await task.stop().catch((e) => ctx.logger.error({ err: e, task: task.name }, 'background task did not stop cleanly'));
            running = [];
          },
        },
      ];
    },
  };
}

export const sessionsService: ServiceDefinitionWithBackground = createSessionsService();
