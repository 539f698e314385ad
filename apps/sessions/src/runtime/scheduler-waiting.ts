import { z } from 'zod';
import { Kvm } from '@nats-io/kv';
import { defineQuery, QueryError, type Broker } from '@baton/event-store';
import type { Waiting } from '../scheduling/scheduler';
import { sessionsBucket } from './agent-token-secret';

const KEY = 'scheduler-waiting';
/** Enough for any queue a person reads; keeps the value far below a NATS message's limit. */
export const MAX_WAITING_SHOWN = 2_000;

export interface SchedulerWaiting {
  /** When the scheduler last planned (it rewrites at least every few seconds while it leads). */
  at: string;
  total: number;
  items: Waiting[];
}

/**
 * Why each pending session waits, as the leader's scheduler last saw it (DESIGN §6: "the
 * rest waits pending, in order, visibly"). Kept in KV `<ns>_sessions` so any replica answers.
 */
export class WaitingBoard {
  private last = '';
  private lastWrite = 0;

  constructor(
    private readonly broker: Broker,
    private readonly replicas = 1,
    private readonly refreshMs = 5_000,
    /** A long queue changes every tick (positions shift): written at most this often. */
    private readonly minIntervalMs = 1_000,
  ) {}

  async publish(waiting: Waiting[], at: string): Promise<void> {
    const items = waiting.slice(0, MAX_WAITING_SHOWN);
    const key = JSON.stringify(items);
    const since = Date.now() - this.lastWrite;
    if (since < this.minIntervalMs || (key === this.last && since < this.refreshMs)) return;
    const kv = await this.broker.kv(sessionsBucket(this.broker), { history: 1, replicas: this.replicas });
    const value: SchedulerWaiting = { at, total: waiting.length, items };
    await kv.put(KEY, JSON.stringify(value));
    this.last = key;
    this.lastWrite = Date.now();
  }
}

export function schedulerQueries(broker: () => Broker | null) {
  return {
    scheduler_waiting: defineQuery(z.object({}), async (): Promise<SchedulerWaiting> => {
      const b = broker();
      if (!b) throw new QueryError('unavailable', 'the sessions service is still starting');
      // Open, never create: the bucket is the scheduler's to make (with the installation's replicas).
      const kv = await new Kvm(b.js).open(sessionsBucket(b)).catch(() => null);
      const entry = kv ? await kv.get(KEY).catch(() => null) : null;
      if (!entry || entry.operation !== 'PUT') return { at: new Date(0).toISOString(), total: 0, items: [] };
      return entry.json<SchedulerWaiting>();
    }),
  };
}
