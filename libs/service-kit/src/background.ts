import type { DataSource } from 'typeorm';
import type { ServiceName } from '@baton/events';
import type { Broker, EventStore, Logger } from '@baton/event-store';
import type { ReadSide, ServiceDefinition, ServiceRuntime } from './service-runtime';

/** What a service's own background work may use: the runtime's connections, never new ones. */
export interface BackgroundContext {
  service: ServiceName;
  broker: Broker;
  store: EventStore;
  db: DataSource;
  read: ReadSide;
  logger: Logger;
}

/** Long-running work beside the command processor, projections and reactors (leader loops, dispatchers). */
export interface BackgroundTask {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface BackgroundHook {
  /**
   * Called once the runtime is open (connected, migrated) and before it consumes; the
   * tasks start after it does and stop before it stops.
   */
  background?(ctx: BackgroundContext): BackgroundTask[];
}

export type ServiceDefinitionWithBackground = ServiceDefinition & BackgroundHook;

/** The background tasks of one runtime, started in order and stopped in reverse. */
export class BackgroundTasks {
  private started: BackgroundTask[] = [];

  private constructor(
    private readonly tasks: BackgroundTask[],
    private readonly logger: Logger,
  ) {}

  static attach(def: ServiceDefinitionWithBackground, runtime: ServiceRuntime, logger: Logger): BackgroundTasks {
    const read: ReadSide = { db: runtime.db, store: runtime.store, broker: runtime.broker, waitFor: (seq) => runtime.projections.waitFor(seq) };
    const ctx: BackgroundContext = { service: def.service, broker: runtime.broker, store: runtime.store, db: runtime.db, read, logger };
    return new BackgroundTasks(def.background?.(ctx) ?? [], logger);
  }

  get names(): string[] {
    return this.tasks.map((t) => t.name);
  }

  async start(): Promise<void> {
    for (const task of this.tasks) {
      await task.start();
      this.started.push(task);
    }
  }

  async stop(): Promise<void> {
    for (const task of [...this.started].reverse()) {
      await task.stop().catch((e) => this.logger.error({ err: e, task: task.name }, 'background task did not stop cleanly'));
    }
    this.started = [];
  }
}
