import type { Reactor } from '@baton/event-store';
import type { BackgroundContext, BackgroundTask, ReadSide } from '@baton/service-kit';
import { loadNotifierConfig } from './notifier-config';
import { notifierReactor } from './notifier.reactor';

/**
 * The notifier's two halves, sharing one nudge: the reactor records deliveries (every replica,
 * one durable consumer), the sender sends them (one replica, a leader role) — decision 0027.
 */
export function notifier(env: NodeJS.ProcessEnv = process.env): { reactor(read: ReadSide): Reactor; background(ctx: BackgroundContext): BackgroundTask[] } {
  let config: ReturnType<typeof loadNotifierConfig> | undefined;
  const settings = () => (config ??= loadNotifierConfig(env));
  let nudge = () => undefined as void;
  return {
    reactor: (read) => notifierReactor(read, { webUrl: settings().BATON_PUBLIC_URL, recorded: () => nudge() }),
    background: (ctx) => {
      const c = settings();
      let stop: (() => Promise<void>) | null = null;
      return [
        {
          name: 'notification-sender',
          start: async () => {
            // Loaded on start only: @baton/service-kit's values pull in NestJS, which specs reading the definition must not load.
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
            const kit = require('@baton/service-kit') as typeof import('@baton/service-kit');
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
            const { notificationSender } = require('./notification-sender') as typeof import('./notification-sender');
            const elector = new kit.LeaderElector({ db: ctx.db, scope: `${ctx.broker.names.pgSchema(ctx.service)}:notify`, logger: ctx.logger });
            const sender = notificationSender({
              db: ctx.db,
              logger: ctx.logger,
              confirm: () => elector.confirm(),
              intervalMs: c.BATON_NOTIFY_INTERVAL_MS,
              timeoutMs: c.BATON_NOTIFY_TIMEOUT_MS,
              retention: { keepMs: c.BATON_NOTIFY_RETENTION_MS, sweepEveryMs: c.BATON_NOTIFY_SWEEP_MS },
              policy: { firstDelayMs: c.BATON_NOTIFY_RETRY_MS, maxDelayMs: Math.max(c.BATON_NOTIFY_RETRY_MS, c.BATON_NOTIFY_MAX_RETRY_MS), maxAttempts: c.BATON_NOTIFY_MAX_ATTEMPTS },
            });
            elector.add(sender);
            nudge = () => sender.poke();
            await elector.start();
            stop = () => elector.stop();
          },
          stop: async () => {
            nudge = () => undefined;
            await stop?.();
          },
        },
      ];
    },
  };
}
