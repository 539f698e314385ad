import { registry } from '@baton/events';
import { QueryClient } from '@baton/event-store';
import { LeaderElector, type BackgroundContext, type BackgroundTask } from '@baton/service-kit';
import { RunnerRowEntity } from '../read-models/runners/runner-row.entity';
import { AgentTokenIssuer } from './agent-token-issuer';
import { agentTokenSecret, endedSessionsKv, publishAgentTokenPublicKey } from './agent-token-secret';
import { CommandSender } from './command-sender';
import { HeartbeatReader } from './heartbeats';
import { livenessLoop } from './liveness.loop';
import { RunnerDispatcher } from './runner-dispatcher';
import { SchedulerLoop } from './scheduler.loop';
import { WaitingBoard } from './scheduler-waiting';
import { loadSessionsConfig, type SessionsConfig } from './sessions-config';
import { StartContextLoader } from './start-context';
import { timersLoop } from './timers.loop';

/** The parts of the running sessions service beside commands, projections, queries and reactors. */
export interface SessionsBackground {
  tasks: BackgroundTask[];
  elector: LeaderElector;
  scheduler: SchedulerLoop;
  dispatcher: RunnerDispatcher;
}

/**
 * Four leader roles, each held by one replica at a time (a Postgres advisory lock on one
 * dedicated connection; a standby takes over within `BATON_LEADER_CHECK_MS` of the leader's
 * connection dropping): the scheduler, the liveness watcher, the timers and the runner
 * dispatcher. Every replica creates the dispatcher's durable consumer and loads the token
 * secret at start (publishing its public key for the gateway), so a placement made while
 * electing is not missed and a bad secret stops the process at once.
 */
export function sessionsBackground(ctx: BackgroundContext, opts: { config?: Partial<SessionsConfig>; env?: NodeJS.ProcessEnv } = {}): SessionsBackground {
  const config = loadSessionsConfig(opts.env ?? process.env, opts.config);
  const { broker, store, read, logger } = ctx;
  const elector = new LeaderElector({ db: ctx.db, scope: broker.names.pgSchema(ctx.service), logger, checkEveryMs: config.BATON_LEADER_CHECK_MS });
  const confirm = () => elector.confirm();
  const sender = new CommandSender(broker, registry, logger);
  const heartbeats = new HeartbeatReader(broker, logger, async () => (await read.db.getRepository(RunnerRowEntity).find({ select: { id: true } })).map((r) => r.id));
  let secret: Promise<string> | undefined;
  const loadSecret = () => (secret ??= agentTokenSecret(broker, config.BATON_AGENT_TOKEN_SECRET, config.NATS_REPLICAS).catch((e) => {
    secret = undefined;
    throw e;
  }));
  const startContext = new StartContextLoader({ read, queries: new QueryClient(broker), secret: loadSecret, apiUrl: config.BATON_PUBLIC_API_URL, tokenTtlMs: config.BATON_AGENT_TOKEN_TTL_MS });
  const scheduler = new SchedulerLoop({ read, store, heartbeats, sender, logger, intervalMs: config.BATON_SCHEDULER_INTERVAL_MS, globalCap: config.BATON_MAX_SESSIONS ?? null, confirm, board: new WaitingBoard(broker, config.NATS_REPLICAS) });
  const dispatcher = new RunnerDispatcher({ broker, store, sender, startContext, logger, confirm });
  elector
    .add(scheduler.loop)
    .add(livenessLoop({ read, heartbeats, sender, logger, intervalMs: config.BATON_LIVENESS_INTERVAL_MS, confirm, holdMs: config.BATON_LOST_HOLD_MS }))
    .add(timersLoop({ read, store, heartbeats, sender, logger, intervalMs: config.BATON_TIMERS_INTERVAL_MS, confirm }))
    .add(dispatcher);
  const prepare: BackgroundTask = {
    name: 'runner-dispatch-consumer',
    start: async () => {
      await publishAgentTokenPublicKey(broker, await loadSecret(), config.NATS_REPLICAS);
      await endedSessionsKv(broker, config.NATS_REPLICAS);
      await dispatcher.ensureConsumer();
    },
    stop: async () => undefined,
  };
  const leaders: BackgroundTask = { name: 'leader-elector', start: () => elector.start(), stop: () => elector.stop() };
  // Every replica renews tokens for runners (decision 0024): a read and a signature, no leader needed.
  const issuer = new AgentTokenIssuer({ broker, db: read.db, secret: loadSecret, ttlMs: config.BATON_AGENT_TOKEN_TTL_MS, logger });
  return { tasks: [prepare, issuer.asTask(), leaders], elector, scheduler, dispatcher };
}
