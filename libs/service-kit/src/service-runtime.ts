import type { DataSource, EntitySchema, MigrationInterface } from 'typeorm';
import type { Decider, ServiceName } from '@baton/events';
import { registry } from '@baton/events';
import {
  Broker,
  CommandProcessor,
  EventStore,
  QueryServer,
  ReactorRunner,
  type CommandProcessorOptions,
  type EventStoreObserver,
  type Logger,
  type QueryHandler,
  type Reactor,
  type TopologyOptions,
} from '@baton/event-store';
import { openDatabase, ProjectionCheckpoints1700000000000, ProjectionRunner, type Projection, type ProjectionRunnerOptions } from '@baton/projections';
import { logContext } from './correlation';
import { AdminServer } from './admin/admin-server';

export interface ReadSide {
  db: DataSource;
  /** The log itself, for queries that read an aggregate's history (histories, replays). */
  store: EventStore;
  /** Waits until every projection of this service has applied `seq` (read-your-writes). */
  waitFor(seq: number): Promise<void>;
  /** For reactions that message one runner directly (runner-directed subjects), never for domain events. */
  broker: Broker;
}

export interface ServiceDefinition {
  service: ServiceName;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- deciders over different state types
  deciders: Decider<any, any, any>[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of different shapes
  projections: Projection<any>[];
  migrations: (new () => MigrationInterface)[];
  /** Tables the service writes outside its read models (the notifier's delivery log): not rebuilt from the log. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of different shapes
  entities?: EntitySchema<any>[];
  queries(read: ReadSide): Record<string, QueryHandler>;
  /** Process managers: events of any aggregate → commands. */
  reactors?(read: ReadSide): Reactor[];
}

/** What watches the runtime's work (metrics); none of it changes what the runtime does. */
export interface RuntimeObservers {
  onOutcome?: CommandProcessorOptions['onOutcome'];
  onStage?: CommandProcessorOptions['onStage'];
  onApplied?: ProjectionRunnerOptions['onApplied'];
  store?: EventStoreObserver;
}

export interface RuntimeConfig {
  natsUrl: string;
  namespace: string;
  databaseUrl: string;
  topology?: TopologyOptions;
}

/**
 * The parts a domain service runs: command processor, projections, query server.
 * Connect and migrate in `open`; consume only in `start` (after Nest's init).
 */
export class ServiceRuntime {
  private constructor(
    readonly def: ServiceDefinition,
    readonly broker: Broker,
    readonly store: EventStore,
    readonly db: DataSource,
    readonly processor: CommandProcessor,
    readonly projections: ProjectionRunner,
    readonly queries: QueryServer,
    readonly reactors: ReactorRunner,
    private readonly logger: Logger,
    readonly admin: AdminServer,
  ) {}

  static async open(def: ServiceDefinition, config: RuntimeConfig, logger: Logger, observers: RuntimeObservers = {}): Promise<ServiceRuntime> {
    const broker = await Broker.connect({ servers: config.natsUrl, namespace: config.namespace, name: def.service });
    await broker.ensureTopology(config.topology);
    const store = new EventStore(broker, registry, observers.store);
    const projections = def.projections;
    const db = await openDatabase({
      url: config.databaseUrl,
      schema: broker.names.pgSchema(def.service),
      entities: [...projections.map((p) => p.entity), ...(def.entities ?? [])],
      migrations: [ProjectionCheckpoints1700000000000, ...def.migrations],
      applicationName: `baton-${def.service}`,
    });
    const runner = new ProjectionRunner({ broker, store, db, service: def.service, projections, logger, onApplied: observers.onApplied });
    const processor = new CommandProcessor({
      service: def.service,
      broker,
      store,
      registry,
      deciders: def.deciders,
      logger,
      onOutcome: observers.onOutcome,
      onStage: observers.onStage,
      // Every log line written while a command is handled names it and its flow.
      withContext: (command, work) => logContext.run({ correlationId: command.correlationId, commandId: command.id, commandType: command.type }, work),
    });
    const read: ReadSide = { db, store, broker, waitFor: (seq) => runner.waitFor(seq) };
    // Admin queries (checkpoints, rebuild on the leader, verify) are served beside the service's own.
    const admin = new AdminServer({ service: def.service, broker, store, db, runner, projections, migrations: def.migrations, logger });
    const queries = new QueryServer(broker, def.service, { ...def.queries(read), ...admin.queries() }, logger);
    const reactors = new ReactorRunner({ broker, store, registry, service: def.service, reactors: def.reactors?.(read) ?? [], logger });
    return new ServiceRuntime(def, broker, store, db, processor, runner, queries, reactors, logger, admin);
  }

  async start(): Promise<void> {
    await this.projections.start();
    await this.processor.start();
    this.queries.start();
    this.admin.start();
    await this.reactors.start();
    this.logger.info({ service: this.def.service, namespace: this.broker.names.namespace }, 'consuming');
  }

  async readiness(): Promise<{ nats: boolean; postgres: boolean }> {
    const nats = !this.broker.nc.isClosed() && (await this.broker.nc.flush().then(() => true, () => false));
    const postgres = await this.db.query('SELECT 1').then(() => true, () => false);
    return { nats, postgres };
  }

  async stop(): Promise<void> {
    this.admin.stop();
    this.queries.stop();
    await this.reactors.stop().catch(() => undefined);
    await this.processor.stop().catch(() => undefined);
    await this.projections.stop().catch(() => undefined);
    await this.broker.close();
    await this.db.destroy().catch(() => undefined);
  }
}
