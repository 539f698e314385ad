import { In, IsNull, Not } from 'typeorm';
import type { Logger } from '@baton/event-store';
import { LeaderLoop, type ReadSide } from '@baton/service-kit';
import { SessionRowEntity } from '../read-models/sessions/session-row.entity';
import type { RunnerHeartbeat } from '@baton/events';
import { aliveRunners, livenessAt, LOST_HOLD_MS, mergeHeartbeats, observeBeats, silenceLimitMs, type BeatHistory } from '../scheduling/liveness';
import { lostCommands, reclaimCommands } from '../scheduling/loop-commands';
import { ON_RUNNER } from '../session/status-rules';
import type { CommandSender } from './command-sender';
import type { HeartbeatReader } from './heartbeats';

/**
 * The liveness watcher, on the leader only. Every tick: a runner silent for longer than its own
 * limit (10 s, or three of its worst recent gaps between beats when they came late) has its
 * sessions marked lost and held `holdMs`; a runner that answers again and still lists a lost
 * session reclaims it; a session held that long is marked again, which moves it (or fails it) per
 * its policy, under a new placement epoch that fences the old copy (docs/decisions/0026).
 * Quiet machine: heartbeat 3 s + silence 10 s + tick 2 s, lost within 15 s.
 */
export function livenessLoop(deps: { read: ReadSide; heartbeats: HeartbeatReader; sender: CommandSender; logger: Logger; intervalMs: number; confirm: () => Promise<boolean>; holdMs?: number }): LeaderLoop {
  let known = new Map<string, RunnerHeartbeat>();
  let beats = new Map<string, BeatHistory>();
  const holdMs = deps.holdMs ?? LOST_HOLD_MS;
  return new LeaderLoop({
    name: 'liveness',
    intervalMs: deps.intervalMs,
    logger: deps.logger,
    confirm: deps.confirm,
    onStart: () => {
      // A new leader knows only what the bucket holds now.
      known = new Map();
      beats = new Map();
    },
    tick: async () => {
      const nowMs = Date.now();
      const now = new Date(nowMs).toISOString();
      known = mergeHeartbeats(known, await deps.heartbeats.read(), now);
      const heartbeats = [...known.values()];
      beats = observeBeats(beats, heartbeats, nowMs);
      for (const id of beats.keys()) if (!known.has(id)) beats.delete(id);
      const rows = await deps.read.db.getRepository(SessionRowEntity).find({
        select: { id: true, runnerId: true, status: true, lastSeq: true, until: true },
        where: { status: In([...ON_RUNNER]), runnerId: Not(IsNull()) },
      });
      const { lost, reclaim, giveUp } = livenessAt(
        heartbeats,
        rows.map((r) => ({ sessionId: r.id, runnerId: r.runnerId!, status: r.status, until: r.until })),
        now,
        aliveRunners(beats, nowMs),
      );
      if (!lost.length && !reclaim.length && !giveUp.length) return;
      const seqs = new Map(rows.map((r) => [r.id, r.lastSeq]));
      const seqOf = (sessionId: string) => seqs.get(sessionId) ?? 0;
      const silence = (runnerId: string) => silenceLimitMs(beats.get(runnerId));
      const commands = [
        ...reclaimCommands(reclaim.map((r) => ({ ...r, lastSeq: seqOf(r.sessionId) })), now),
        ...lost.flatMap((s) => lostCommands([{ sessionId: s.sessionId, runnerId: s.runnerId, lastSeq: seqOf(s.sessionId) }], silence(s.runnerId), now, holdMs)),
        ...giveUp.flatMap((s) => lostCommands([{ sessionId: s.sessionId, runnerId: s.runnerId, lastSeq: seqOf(s.sessionId) }], silence(s.runnerId), now, holdMs)),
      ];
      await deps.sender.sendAll(commands);
      if (reclaim.length) deps.logger.info({ sessions: reclaim.map((s) => s.sessionId), runners: [...new Set(reclaim.map((s) => s.runnerId))] }, 'runner answers again: sessions reclaimed');
      if (lost.length) deps.logger.warn({ sessions: lost.map((s) => s.sessionId), runners: [...new Set(lost.map((s) => s.runnerId))], holdMs }, 'runner silent: sessions marked lost');
      if (giveUp.length) deps.logger.warn({ sessions: giveUp.map((s) => s.sessionId) }, 'lost sessions held long enough: moved');
    },
  });
}
