import type { CommandReply } from '@baton/events';
import { BaseConfigSchema, DatabaseConfigSchema, loadConfig, topologyOf } from './config';
import { createLogger } from './logger';
import { ServiceRuntime, type ServiceDefinition } from './service-runtime';
import { startHttpApp } from './bootstrap';
import { BackgroundTasks, type BackgroundHook } from './background';
import { READ_MODEL_GAUGES, ReadModelGauges, registerProjectionLag, ServiceMetrics } from './metrics';

/** The whole `main` of a domain service: config, runtime, HTTP (health, metrics), consume after init. */
export function runDomainService(def: ServiceDefinition & BackgroundHook, defaultPort: number): void {
  const start = async () => {
    const config = loadConfig(BaseConfigSchema.extend(DatabaseConfigSchema.shape).extend({ PORT: BaseConfigSchema.shape.PORT.default(defaultPort) }));
    const logger = createLogger(def.service, config.LOG_LEVEL);
    const metrics = new ServiceMetrics(def.service);
    const countOutcome = metrics.commandObserver();
    // Called inside the command's log context: the line carries its correlation and command ids.
    const onOutcome = (reply: CommandReply, ms: number, command?: { type: string }) => {
      countOutcome(reply, ms, command);
      logger.debug({ type: command?.type, status: reply.status, code: reply.status === 'rejected' ? reply.code : undefined, ms: Math.round(ms) }, 'command handled');
    };
    const runtime = await ServiceRuntime.open(
      def,
      { natsUrl: config.NATS_URL, namespace: config.BATON_NAMESPACE, databaseUrl: config.DATABASE_URL, topology: topologyOf(config) },
      logger,
      { onOutcome, onStage: metrics.commandStageObserver(), onApplied: metrics.projectionObserver(), store: metrics.appendObserver() },
    );
    registerProjectionLag(
      metrics,
      {
        projections: def.projections.map((p: { name: string }) => p.name),
        checkpoints: () => runtime.projections.checkpoints(),
        lastSeq: () => runtime.store.lastSeq(),
        appendedAt: async (seq) => (await runtime.broker.jsm.streams.getMessage(runtime.store.stream, { seq }))?.time.getTime() ?? null,
      },
      (err) => logger.debug({ err }, 'projection lag not measured'),
    );
    // A read model stuck on an event it cannot apply retries forever: this says so to an alert.
    metrics.gauge({
      name: 'projection_failures',
      help: 'Tries in a row that failed for a read model this replica leads (0 while it applies)',
      labelNames: ['projection'],
      collect: (gauge) => {
        for (const lane of runtime.projections.status()) gauge.set({ projection: lane.name }, lane.failures);
      },
    });
    const gauges = new ReadModelGauges(metrics, READ_MODEL_GAUGES[def.service] ?? [], runtime.db, logger);
    const background = BackgroundTasks.attach(def, runtime, logger);
    await startHttpApp(def.service, {
      port: config.PORT,
      host: config.HOST,
      logger,
      metrics,
      readiness: () => runtime.readiness(),
      onListening: async () => {
        await runtime.start();
        await background.start();
        await gauges.start();
      },
      onShutdown: async () => {
        await gauges.stop();
        await background.stop();
        await runtime.stop();
      },
    });
  };
  start().catch((e) => {
    process.stderr.write(`${def.service} failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
