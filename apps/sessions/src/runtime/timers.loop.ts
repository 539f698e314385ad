import { In } from 'typeorm';
import type { SessionTemplateSpec } from '@baton/events';
import type { EventStore, Logger } from '@baton/event-store';
import { LeaderLoop, type ReadSide } from '@baton/service-kit';
import { SessionRowEntity } from '../read-models/sessions/session-row.entity';
import { dueTimers, TIMED_STATUSES, type TimerSpec } from '../scheduling/timers';
import type { CommandSender } from './command-sender';
import type { HeartbeatReader } from './heartbeats';

/** The template a session pinned when it was requested: its second event, read once per session. */
async function pinnedSpec(store: EventStore, sessionId: string): Promise<TimerSpec | null> {
  for await (const e of store.read({ subject: store.subjectOf({ type: 'session', id: sessionId }), fromSeq: 1 })) {
    if (e.type === 'session.template_pinned') {
      const spec = (e.data as { spec: SessionTemplateSpec }).spec;
      return { registrationTimeoutMs: spec.registrationTimeoutMs, stallAfterMs: spec.stallAfterMs };
    }
  }
  return null;
}

/**
 * Timers, on the leader only: registration timeout, stall watchdog (fed with the
 * heartbeat's last output time) and quota resume, as commands whose `issuedAt` is the
 * tick's time. Restart backoff needs no timer of its own: the scheduler places a session
 * once its not-before instant has passed.
 */
export function timersLoop(deps: {
  read: ReadSide;
  store: EventStore;
  heartbeats: HeartbeatReader;
  sender: CommandSender;
  logger: Logger;
  intervalMs: number;
  confirm: () => Promise<boolean>;
}): LeaderLoop {
  const specs = new Map<string, TimerSpec | null>();
  return new LeaderLoop({
    name: 'timers',
    intervalMs: deps.intervalMs,
    logger: deps.logger,
    confirm: deps.confirm,
    tick: async () => {
      const rows = await deps.read.db.getRepository(SessionRowEntity).find({
        select: { id: true, status: true, statusSince: true, until: true, updatedAt: true, lastSeq: true },
        where: { status: In([...TIMED_STATUSES]) },
      });
      const timed = new Set(rows.map((r) => r.id));
      for (const id of specs.keys()) if (!timed.has(id)) specs.delete(id);
      const missing = rows.filter((r) => r.status !== 'waiting_quota' && !specs.has(r.id));
      for (let i = 0; i < missing.length; i += 16) {
        await Promise.all(
          missing.slice(i, i + 16).map(async (r) => {
            const spec = await pinnedSpec(deps.store, r.id).catch((err) => {
              deps.logger.warn({ err, sessionId: r.id }, 'could not read the session template; timers retry');
              return undefined;
            });
            if (spec !== undefined) specs.set(r.id, spec);
          }),
        );
      }
      const outputs = new Map<string, string | null>();
      for (const hb of await deps.heartbeats.read()) for (const s of hb.sessions) outputs.set(s.sessionId, s.lastOutputAt);
      const now = new Date().toISOString();
      const commands = dueTimers(
        rows.map((r) => ({ sessionId: r.id, status: r.status, statusSince: r.statusSince, until: r.until, updatedAt: r.updatedAt, lastSeq: r.lastSeq })),
        (id) => specs.get(id) ?? null,
        (id) => outputs.get(id) ?? null,
        now,
      );
      if (commands.length) await deps.sender.sendAll(commands);
    },
  });
}
