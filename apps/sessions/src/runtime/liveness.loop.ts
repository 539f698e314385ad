import { In, IsNull, Not } from 'typeorm';
import type { Logger } from '@baton/event-store';
import { LeaderLoop, type ReadSide } from '@baton/service-kit';
import { SessionRowEntity } from '../read-models/sessions/session-row.entity';
import type { RunnerHeartbeat } from '@baton/events';
import { livenessAt, mergeHeartbeats, RUNNER_SILENCE_MS } from '../scheduling/liveness';
import { lostCommands } from '../scheduling/loop-commands';
import { ON_RUNNER } from '../session/status-rules';
import type { CommandSender } from './command-sender';
import type { HeartbeatReader } from './heartbeats';

/**
 * The liveness watcher, on the leader only: every tick, sessions hosted by a runner whose
 * heartbeat is older than 10 s are marked lost (the decider then restarts them elsewhere
 * or fails them, per their template's policy). Heartbeat 3 s + silence 10 s + tick 2 s:
 * lost within 15 s.
 */
export function livenessLoop(deps: { read: ReadSide; heartbeats: HeartbeatReader; sender: CommandSender; logger: Logger; intervalMs: number; confirm: () => Promise<boolean> }): LeaderLoop {
  let known = new Map<string, RunnerHeartbeat>();
  return new LeaderLoop({
    name: 'liveness',
    intervalMs: deps.intervalMs,
    logger: deps.logger,
    confirm: deps.confirm,
    onStart: () => {
      // A new leader knows only what the bucket holds now.
      known = new Map();
    },
    tick: async () => {
      const now = new Date().toISOString();
      known = mergeHeartbeats(known, await deps.heartbeats.read(), now);
      const heartbeats = [...known.values()];
      const rows = await deps.read.db.getRepository(SessionRowEntity).find({
        select: { id: true, runnerId: true, status: true, lastSeq: true },
        where: { status: In([...ON_RUNNER]), runnerId: Not(IsNull()) },
      });
      const { lost } = livenessAt(
        heartbeats,
        rows.map((r) => ({ sessionId: r.id, runnerId: r.runnerId!, status: r.status })),
        now,
      );
      if (!lost.length) return;
      const seqs = new Map(rows.map((r) => [r.id, r.lastSeq]));
      const commands = lostCommands(
        lost.map((s) => ({ sessionId: s.sessionId, runnerId: s.runnerId, lastSeq: seqs.get(s.sessionId) ?? 0 })),
        RUNNER_SILENCE_MS,
        now,
      );
      await deps.sender.sendAll(commands);
      deps.logger.warn({ sessions: lost.map((s) => s.sessionId), runners: [...new Set(lost.map((s) => s.runnerId))] }, 'runner silent: sessions marked lost');
    },
  });
}
