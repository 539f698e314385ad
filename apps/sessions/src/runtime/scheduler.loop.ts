import type { DomainEvent, RecordedEvent } from '@baton/events';
import type { EventStore, Logger } from '@baton/event-store';
import { LeaderLoop, type ReadSide } from '@baton/service-kit';
import { applyInflight, type InflightPlacement } from '../scheduling/inflight';
import { placeCommands } from '../scheduling/loop-commands';
import { planPlacements, type Waiting } from '../scheduling/scheduler';
import { loadSchedulerInput } from '../scheduling/scheduler-snapshot';
import type { CommandSender } from './command-sender';
import type { HeartbeatReader } from './heartbeats';
import type { WaitingBoard } from './scheduler-waiting';

export interface SchedulerLoopDeps {
  read: ReadSide;
  store: EventStore;
  heartbeats: HeartbeatReader;
  sender: CommandSender;
  logger: Logger;
  intervalMs: number;
  globalCap: number | null;
  confirm: () => Promise<boolean>;
  board?: WaitingBoard;
}

/** Events after which a placement may have become possible (or necessary). */
function wakesScheduler(e: RecordedEvent<DomainEvent>): boolean {
  if (e.aggregate.type === 'runner') return true;
  return e.type === 'session.requested' || e.type === 'session.status_changed' || e.type === 'session.ended';
}

/**
 * The scheduler, on the leader only: snapshot (read models + KV heartbeats) → pure
 * `planPlacements` → `session.place` commands. Ticks every `intervalMs` and right after an
 * event that may change the plan (once the read model has it).
 */
export class SchedulerLoop {
  readonly loop: LeaderLoop;
  private inflight = new Map<string, InflightPlacement>();
  private waitSeq = 0;
  private follow?: { stop(): void };
  /** Why each session still waits, as of the last tick (DESIGN §6: "in order, visibly"). */
  lastWaiting: Waiting[] = [];

  constructor(private readonly deps: SchedulerLoopDeps) {
    this.loop = new LeaderLoop({
      name: 'scheduler',
      intervalMs: deps.intervalMs,
      logger: deps.logger,
      confirm: deps.confirm,
      tick: () => this.tick(),
      onStart: async () => {
        this.inflight.clear();
        this.follow = await deps.store.follow(
          0,
          (e) => {
            if (!wakesScheduler(e as RecordedEvent<DomainEvent>)) return;
            this.waitSeq = Math.max(this.waitSeq, e.position.seq);
            this.loop.poke();
          },
          (err, seq) => deps.logger.debug({ err, seq }, 'scheduler skipped an undecodable event'),
        );
      },
      onStop: () => {
        this.follow?.stop();
        this.follow = undefined;
      },
    });
  }

  async tick(): Promise<void> {
    const { read, heartbeats, sender } = this.deps;
    const seq = this.waitSeq;
    if (seq) await read.waitFor(seq).catch(() => undefined);
    const now = new Date().toISOString();
    const raw = await loadSchedulerInput(read, await heartbeats.read(), now, this.deps.globalCap);
    const { input, inflight } = applyInflight(raw, this.inflight, now);
    const plan = planPlacements(input.pending, input.runners, input.running, input.caps, now);
    this.lastWaiting = plan.waiting;
    await this.deps.board?.publish(plan.waiting, now).catch((err) => this.deps.logger.warn({ err }, 'could not publish the waiting queue'));
    if (plan.placements.length) {
      await sender.sendAll(placeCommands(plan.placements, raw.pendingSeqs, now));
      for (const p of plan.placements) inflight.set(p.sessionId, { ...p, pendingSeq: raw.pendingSeqs[p.sessionId] ?? 0, sentAt: now });
      this.deps.logger.debug({ placements: plan.placements }, 'placed');
    }
    this.inflight = inflight;
  }
}
