import { In, LessThan, LessThanOrEqual } from 'typeorm';
import type { DataSource } from 'typeorm';
import type { Logger } from '@baton/event-store';
import { LeaderLoop } from '@baton/service-kit';
import { NotificationChannelRowEntity, NotificationDeliveryRowEntity, type NotificationDeliveryRow } from '../read-models/notifications/notification-rows.entity';
import { RETRY, retryDelayMs, verdictOf, type RetryPolicy } from './retry-policy';
import { webhookRequest } from './webhook-request';

export interface SenderOptions {
  db: DataSource;
  logger: Logger;
  confirm: () => Promise<boolean>;
  intervalMs?: number;
  /** One try's limit; a receiver slower than this is tried again later. */
  timeoutMs?: number;
  policy?: RetryPolicy;
  /** Tries in flight at once (different deliveries). */
  parallel?: number;
  /** Finished deliveries older than `keepMs` leave the log, looked for every `sweepEveryMs`. */
  retention?: { keepMs: number; sweepEveryMs: number };
}

const ERROR_TEXT_MAX = 500;

/**
 * The notifier's second half: one replica (a leader role) sends the due pending deliveries, each
 * with its own HMAC signature, records every try's outcome (response code, error, attempts) and
 * schedules the next with exponential backoff until the policy gives up. A delivery is marked
 * delivered only after its 2xx: a replica that dies in between sends it again with the same
 * `X-Baton-Delivery` id, which the receiver can use to drop the copy (decision 0027).
 */
export function notificationSender(opts: SenderOptions): LeaderLoop {
  const policy = opts.policy ?? RETRY;
  const deliveries = () => opts.db.getRepository(NotificationDeliveryRowEntity);
  const channels = () => opts.db.getRepository(NotificationChannelRowEntity);

  const tryOnce = async (d: NotificationDeliveryRow): Promise<void> => {
    const channel = await channels().findOneBy({ id: d.channelId });
    const attempts = d.attempts + 1;
    const now = new Date();
    if (!channel || channel.removed) {
      await deliveries().update({ id: d.id, status: 'pending' }, { status: 'failed', nextAttemptAt: null, lastError: 'the channel was removed' });
      return;
    }
    const req = webhookRequest(channel.format, channel.secret, d.content, String(Math.floor(now.getTime() / 1000)));
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(channel.url, { method: 'POST', headers: req.headers, body: req.body, redirect: 'manual', signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
      status = res.status;
      if (verdictOf(status) !== 'delivered') error = `HTTP ${status}: ${(await res.text().catch(() => '')).slice(0, ERROR_TEXT_MAX)}`;
      else await res.body?.cancel().catch(() => undefined);
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      error = (cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e))).slice(0, ERROR_TEXT_MAX);
    }
    const verdict = verdictOf(status);
    const delay = verdict === 'retry' ? retryDelayMs(attempts, policy, Math.random()) : null;
    const next: Partial<NotificationDeliveryRow> =
      verdict === 'delivered'
        ? { status: 'delivered', deliveredAt: new Date(), nextAttemptAt: null }
        : delay === null
          ? { status: 'failed', nextAttemptAt: null }
          : { nextAttemptAt: new Date(Date.now() + delay) };
    await deliveries().update({ id: d.id, status: 'pending' }, { attempts, lastAttemptAt: now, responseCode: status, lastError: error, ...next });
    if (verdict !== 'delivered') opts.logger.info({ deliveryId: d.id, channelId: d.channelId, attempts, status, error, retryInMs: delay }, 'notification not delivered');
  };

  let sweptAt = 0;
  const sweep = async (): Promise<void> => {
    const r = opts.retention;
    if (!r || Date.now() - sweptAt < r.sweepEveryMs) return;
    sweptAt = Date.now();
    // Pending deliveries stay whatever their age: they are still to be sent or given up.
    const gone = await deliveries().delete({ status: In(['delivered', 'failed']), createdAt: LessThan(new Date(Date.now() - r.keepMs)) });
    if (gone.affected) opts.logger.info({ deleted: gone.affected }, 'notification deliveries past their retention removed');
  };

  const loop: LeaderLoop = new LeaderLoop({
    name: 'notification-sender',
    intervalMs: opts.intervalMs ?? 1_000,
    logger: opts.logger,
    confirm: opts.confirm,
    tick: async () => {
      // Oldest due first; a batch at a time, so a new delivery does not wait behind a slow receiver for long.
      const due = await deliveries().find({ where: { status: 'pending', nextAttemptAt: LessThanOrEqual(new Date()) }, order: { nextAttemptAt: 'ASC', eventSeq: 'ASC' }, take: 50 });
      const parallel = opts.parallel ?? 8;
      for (let i = 0; i < due.length; i += parallel) {
        if (!loop.isLeading) return;
        await Promise.all(due.slice(i, i + parallel).map((d) => tryOnce(d).catch((e: unknown) => opts.logger.error({ err: e, deliveryId: d.id }, 'could not record a notification try'))));
      }
      if (due.length === 50) loop.poke();
      await sweep();
    },
  });
  return loop;
}
