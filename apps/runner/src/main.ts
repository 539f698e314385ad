import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { availableParallelism, hostname, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { RegisterRunner } from '@baton/events';
import { Broker, CommandBus, runnerInboxPrefix, type TopologyOptions } from '@baton/event-store';
import { openDatabase, ProjectionCheckpoints1700000000000 } from '@baton/projections';
import { createLogger, loadConfig, ServiceMetrics, startHttpApp, topologyOf } from '@baton/service-kit';
import { DEFAULT_ROOT_DATA_PARENT, RunnerConfigSchema } from './config';
import { countTerminalOutput, registerRunnerGauges } from './metrics';
import { agentUserFor, detectSandbox, DirectedConsumer, foregroundPrefix, Heartbeat, HostedSessionsRepository, inheritedEnv, keptSessionId, reconcile, Reporter, SessionHost, Workspaces } from './host';
import { DEFAULT_CLI_MAIN, installBundledCli, withPathFirst } from './host/bundled-cli';
import { RunnerHttpModule } from './http';
import { HostedSessions1700000000400 } from './migrations/1700000000400-hosted-sessions';
import { PortAllocator, stopRunningGit, Worktrees } from './worktree';
import { PtyKeeperClient } from './pty';
import { mergeForAutopilot } from './host/attempt-merge';
import { runTrainStep } from './host/train-step';
import { natsTokenRenewal, TokenKeeper } from './host/token-keeper';

/**
 * One runner per machine: hosts sessions in PTYs, each in its attempt's worktree (or the
 * project's checkout), on the `start`/`stop`/`input` messages the sessions service sends
 * to this runner, and reports back with `runner.register` and `session.record_*`.
 */
async function main(): Promise<void> {
  const config = loadConfig(RunnerConfigSchema);
  const runnerId = config.BATON_RUNNER_ID;
  const logger = createLogger('runner', config.LOG_LEVEL).child({ runnerId });
  const metrics = new ServiceMetrics('runner', { labels: { runner: runnerId } });
  const dataDir = config.BATON_DATA_DIR;
  if (!config.BATON_RUNNER_SECRET && !['127.0.0.1', '::1', 'localhost'].includes(config.HOST)) {
    logger.warn({ host: config.HOST }, 'BATON_RUNNER_SECRET is not set: screens, diffs and merges are open to anyone who reaches this port');
  }
  // The directories above a root runner's data dir let others pass (not list): its agents' own
  // user must reach their worktrees inside (host/agent-user.ts). A recursive 0700 mkdir closed
  // the default /var/lib/baton/runner to them, and agents fell back to running as root outside.
  if (process.getuid?.() === 0) await mkdir(dirname(dataDir), { recursive: true, mode: 0o711 });
  if (process.getuid?.() === 0 && dirname(dataDir) === DEFAULT_ROOT_DATA_PARENT) await chmod(DEFAULT_ROOT_DATA_PARENT, 0o711);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });

  const password = config.NATS_PASSWORD_FILE ? readFileSync(config.NATS_PASSWORD_FILE, 'utf8').trim() : undefined;
  const connect = { servers: config.NATS_URL, password, namespace: config.BATON_NAMESPACE, inboxPrefix: runnerInboxPrefix(runnerId) };
  const broker = await Broker.connect({ ...connect, name: `runner-${runnerId}` });
  await topologyReady(broker, topologyOf(config), logger);
  const schema = broker.names.pgSchema('runner');
  const db = await openDatabase({
    url: config.DATABASE_URL,
    schema,
    entities: [],
    migrations: [ProjectionCheckpoints1700000000000, HostedSessions1700000000400],
    applicationName: 'baton-runner',
  });
  const repo = new HostedSessionsRepository(db, schema, runnerId);
  const reporter = new Reporter({ broker, bus: new CommandBus(broker), runnerId, logger });
  const runnerKey = `${config.BATON_NAMESPACE}/${runnerId}`;

  // The PTY keeper holds the sessions' terminals across this process's restarts: what it still
  // holds is taken back below; the rest an earlier life left behind is settled before any new start.
  const keeper = config.BATON_RUNNER_KEEPER === 'on' ? await PtyKeeperClient.connect(join(dataDir, 'keeper', 'keeper.sock')).catch((err: Error) => (logger.warn({ why: err.message }, 'no PTY keeper: sessions die with this runner process'), null)) : null;
  const keptSessions = keeper ? await keeper.list() : [];
  const reconciled = await reconcile({ runnerId, runnerKey, repo, reporter, logger, kept: new Set(keptSessions.map(keptSessionId)) });
  if (reconciled.exits.length || reconciled.killed.length) logger.warn({ exits: reconciled.exits.length, killed: reconciled.killed.length }, 'reconciled after restart');
  await repo.prune(7).catch((err) => logger.warn({ err }, 'could not prune old hosted sessions'));

  const gitTimeouts = { cloneMs: config.BATON_RUNNER_GIT_CLONE_TIMEOUT_MS, fetchMs: config.BATON_RUNNER_GIT_FETCH_TIMEOUT_MS };
  const worktrees = new Worktrees({ dataDir, gitTimeouts });
  const batonBin = await installBundledCli(dataDir);
  const sandbox = await detectSandbox(config.BATON_RUNNER_SANDBOX, { user: agentUserFor(process.getuid?.() ?? -1, config.BATON_RUNNER_AGENT_UID), dataDir, reach: [DEFAULT_CLI_MAIN, process.execPath] });
  if (sandbox.bwrap && process.getuid?.() === 0 && !sandbox.user) logger.warn({ why: sandbox.why }, 'sessions run sandboxed, but as root outside it: they can read root-owned files the sandbox shows');
  if (sandbox.bwrap && !sandbox.perl) logger.warn('no perl here: a Ctrl-C typed in a session\'s terminal ends its whole sandbox at once instead of reaching the program');
  if (sandbox.bwrap) logger.info({ bwrap: sandbox.bwrap, agentUid: sandbox.user?.uid ?? process.getuid?.(), hidden: [dataDir, ...config.BATON_RUNNER_SANDBOX_HIDE] }, 'sessions run sandboxed');
  else logger.warn({ why: sandbox.why }, 'sessions run WITHOUT a sandbox: they can read what this runner can (its environment, its data dir)');
  const host = new SessionHost({
    runnerId,
    runnerKey,
    capacity: config.BATON_RUNNER_CAPACITY,
    broker: countTerminalOutput(broker, metrics),
    reporter,
    workspaces: new Workspaces(dataDir, worktrees, gitTimeouts),
    ports: new PortAllocator({ from: config.BATON_RUNNER_PORTS.from, to: config.BATON_RUNNER_PORTS.to }),
    repo,
    logger,
    inheritedEnv: withPathFirst(inheritedEnv(process.env, config.passEnv), batonBin),
    agents: { dataDir, batonLauncher: join(batonBin, 'baton'), gitAuthor: { name: config.BATON_GIT_AUTHOR_NAME, email: config.BATON_GIT_AUTHOR_EMAIL } },
    sandbox: sandbox.bwrap
      ? { bwrap: sandbox.bwrap, dataDir, hidden: [dataDir, ...config.BATON_RUNNER_SANDBOX_HIDE].filter((d) => existsSync(d)), readable: [batonBin], user: sandbox.user, foreground: sandbox.perl ? foregroundPrefix(sandbox.perl) : [] }
      : null,
    setupTimeoutMs: config.BATON_RUNNER_SETUP_TIMEOUT_MS,
    agentNice: config.BATON_AGENT_NICE,
    latestStarts: await repo.latestStarts(),
    tokens: new TokenKeeper({ renew: natsTokenRenewal(broker, runnerId), logger }),
    keeper,
  });
  for (const kept of keptSessions) {
    await keeper!
      .attach(kept.key)
      .then((taken) => host.adopt(taken))
      .catch((err: Error) => logger.error({ err, key: kept.key }, 'could not take back a session the PTY keeper holds'));
  }
  registerRunnerGauges(metrics, { capacity: config.BATON_RUNNER_CAPACITY, get size() { return host.size; }, get isDraining() { return host.isDraining; } });
  // The pace of starts this machine takes (docs/decisions/0026): the scheduler keeps the rest pending.
  const admission = () => ({
    maxStarting: config.BATON_RUNNER_MAX_STARTING,
    load: Math.round((Math.max(loadavg()[0], runnableNow()) / Math.max(1, availableParallelism())) * 100) / 100,
    loadLimit: config.BATON_RUNNER_START_LOAD_LIMIT,
    maxStartingOverLoad: Math.min(config.BATON_RUNNER_MAX_STARTING_OVER_LOAD, config.BATON_RUNNER_MAX_STARTING),
  });
  const heartbeat = new Heartbeat(broker, runnerId, () => ({ ...host.heartbeat(), httpUrl: config.publicUrl, admission: admission() }), logger, config.BATON_RUNNER_HEARTBEAT_MS, {
    connect: { ...connect, name: `runner-${runnerId}-heartbeat` },
    nice: config.BATON_RUNNER_HEARTBEAT_NICE,
  });
  const consumer = new DirectedConsumer({
    broker,
    runnerId,
    logger,
    handlers: {
      start: (data, seq) => host.handleStart(data, seq),
      stop: (data) => host.handleStop(data),
      input: (data) => host.handleInput(data),
      merge: (data, seq) => mergeForAutopilot({ worktrees, reporter, logger, fenced: (attemptId) => host.isFencedAttempt(attemptId) }, data, seq),
      train: (data, seq) => runTrainStep({ worktrees, reporter, logger, fenced: (attemptId) => host.isFencedAttempt(attemptId) }, data, seq),
    },
  });

  // SIGTERM: refuse new starts (retryably, so they go elsewhere), let sessions end for a
  // while, stop the rest and report their exits, then leave the runners bucket.
  let drained: Promise<void> | null = null;
  const drain = () =>
    (drained ??= (async () => {
      logger.info({ sessions: host.size, drainMs: config.BATON_RUNNER_DRAIN_MS }, 'draining');
      await host.drain(config.BATON_RUNNER_DRAIN_MS);
      keeper?.quit();
      // Starts still preparing were stopped by the drain; a merge's fetch or push is stopped here.
      const stopped = await stopRunningGit();
      if (stopped) logger.info({ stopped }, 'stopped git commands still running');
      await consumer.stop();
      if (!(await reporter.flush(5_000))) logger.warn({}, 'some reports were not published before shutdown');
      reporter.close();
      await heartbeat.stop(true);
    })());

  // SIGUSR2: exit for a restart (an upgrade), leaving the sessions running in the PTY keeper for
  // the next life of this runner to take back; nothing is stopped, the runners bucket keeps it.
  if (keeper) {
    process.once('SIGUSR2', () => {
      logger.warn({ sessions: host.size }, 'exiting for a restart: the sessions keep running in the PTY keeper');
      keeper.close();
      void Promise.race([reporter.flush(5_000), new Promise((r) => setTimeout(r, 5_000))]).finally(() => process.exit(0));
    });
  }

  await startHttpApp('runner', {
    port: config.PORT,
    host: config.HOST,
    logger,
    metrics,
    imports: [RunnerHttpModule.with({ host, worktrees, secret: config.BATON_RUNNER_SECRET ?? null }, { beforeApplicationShutdown: drain })],
    readiness: async () => ({
      nats: !broker.nc.isClosed() && (await broker.nc.flush().then(() => true, () => false)),
      postgres: await db.query('SELECT 1').then(() => true, () => false),
      accepting: !host.isDraining,
    }),
    onListening: async () => {
      void reporter.send(
        'runner',
        RegisterRunner,
        { runnerId, hostname: hostname().slice(0, 255) || runnerId, capacity: config.BATON_RUNNER_CAPACITY, labels: config.BATON_RUNNER_LABELS, version: version() },
        { id: `${runnerId}.register.${Date.now().toString(36)}${randomBytes(4).toString('hex')}` },
      );
      await heartbeat.start();
      await consumer.start();
      logger.info({ dataDir, capacity: config.BATON_RUNNER_CAPACITY, labels: config.BATON_RUNNER_LABELS }, 'runner taking sessions');
    },
    onShutdown: async () => {
      await drain();
      await broker.close();
      await db.destroy();
    },
  });
}

/** Tasks runnable at this instant (/proc/loadavg's 4th field, less this reader): a burst shows before the 1-minute average moves. */
function runnableNow(): number {
  try {
    const running = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[3]?.split('/')[0]);
    return Number.isFinite(running) ? Math.max(0, running - 1) : 0;
  } catch {
    return 0;
  }
}

function version(): string | null {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: string }).version?.slice(0, 64) ?? null;
  } catch {
    return null;
  }
}

main().catch((e) => {
  process.stderr.write(`runner failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

/**
 * Streams and buckets made when this runner may make them; with a runner's own NATS
 * credentials (libs/event-store/src/nats-permissions.ts) it may only look them up, so it
 * waits for the services to make them — slowly, never giving up.
 */
async function topologyReady(broker: Broker, topology: TopologyOptions, logger: ReturnType<typeof createLogger>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await broker.ensureTopology(topology);
      return;
    } catch (e) {
      if (await broker.hasTopology()) return;
      if (attempt === 1 || attempt % 30 === 0) logger.warn({ err: e, attempt }, 'streams are not there yet and this runner may not make them: waiting for the services');
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
}
