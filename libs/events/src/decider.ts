import type { CommandEnvelope } from './command';
import type { CommandDefinition, CommandDataOf } from './define';
import type { AggregateType, EventEnvelope, NewEvent } from './envelope';

/** A command as a decider receives it: data already validated against its schema. */
export type CommandOf<D> = D extends CommandDefinition<infer T> ? CommandEnvelope<CommandDataOf<D>> & { type: T } : never;

/**
 * An aggregate as three pure functions (emmett style). No I/O, no clock:
 * time and ids arrive on the command.
 */
export interface Decider<S, C extends CommandEnvelope = CommandEnvelope, E extends EventEnvelope = EventEnvelope> {
  readonly aggregate: AggregateType;
  /** Command types this decider handles. */
  readonly commands: readonly CommandDefinition[];
  aggregateIdOf(command: C): string;
  /**
   * Where the state is folded from: the aggregate's own subject (default), or every subject of
   * its type in log order (`<ns>.evt.<type>.*`: one aggregate that took over per-id subjects
   * keeps their history). Appends always go to the aggregate's own subject, whose sequence is
   * the concurrency token: the older subjects must no longer be written.
   */
  readonly stateFrom?: 'subject' | 'aggregate_type';
  initialState(): S;
  /** Throws DomainError when a rule is broken. */
  decide(command: C, state: S): NewEvent[];
  evolve(state: S, event: E): S;
}

/** Stamps a decider's output with the envelope fields, all taken from the command. */
export function stampEvents(
  command: CommandEnvelope,
  aggregate: { type: AggregateType; id: string },
  events: NewEvent[],
  newId: () => string,
  firstIndex = 0,
  total = events.length,
): EventEnvelope[] {
  return events.map((e, i) => ({
    id: newId(),
    type: e.type,
    version: 1, // replaced by the registry's current version on encode
    aggregate,
    occurredAt: command.issuedAt,
    actor: command.actor,
    correlationId: command.correlationId,
    causationId: command.id,
    batch: { index: firstIndex + i, count: total },
    data: e.data,
  }));
}
