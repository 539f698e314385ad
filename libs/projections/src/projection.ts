import type { EntitySchema } from 'typeorm';
import type { DomainEvent, RecordedEvent } from '@baton/events';

/**
 * A document read model: every row is folded from the events that touch it.
 * `evolve` is pure; the runtime loads the touched rows of a whole batch at once,
 * folds the batch in memory and writes the changed rows back in one transaction.
 */
export interface Projection<Row extends { id: string } = { id: string }> {
  /** Table-safe name: also names the checkpoint and the durable consumer. */
  readonly name: string;
  /** Bump when the logic changes: the read model is then rebuilt from the log. */
  readonly version: number;
  readonly entity: EntitySchema<Row>;
  /** Ids of the rows this event changes (none: the projection ignores it). */
  keysOf(event: RecordedEvent<DomainEvent>): string[];
  /** Next row; `null` deletes it. Must not throw on a strange but valid event. */
  evolve(row: Row | null, event: RecordedEvent<DomainEvent>, key: string): Row | null;
}

/** Folds events into rows in memory: the pure core of the runtime, also used by tests and `verify`. */
export function foldRows<Row extends { id: string }>(
  projection: Projection<Row>,
  rows: Map<string, Row | null>,
  events: RecordedEvent<DomainEvent>[],
): Set<string> {
  const touched = new Set<string>();
  for (const event of events) {
    for (const key of projection.keysOf(event)) {
      rows.set(key, projection.evolve(rows.get(key) ?? null, event, key));
      touched.add(key);
    }
  }
  return touched;
}

/**
 * Applies only the events after `checkpoint` and returns the new checkpoint:
 * what makes a redelivered batch harmless. The runtime does exactly this inside
 * its transaction.
 */
export function foldAfter<Row extends { id: string }>(
  projection: Projection<Row>,
  rows: Map<string, Row | null>,
  checkpoint: number,
  events: RecordedEvent<DomainEvent>[],
): { touched: Set<string>; checkpoint: number } {
  const fresh = events.filter((e) => e.position.seq > checkpoint);
  const touched = foldRows(projection, rows, fresh);
  return { touched, checkpoint: fresh.reduce((max, e) => Math.max(max, e.position.seq), checkpoint) };
}
