import {
  DomainError,
  MergeTrainBatchEnded,
  MergeTrainBatchStarted,
  MergeTrainCarBuilt,
  MergeTrainCarDeferred,
  MergeTrainCarLeft,
  MergeTrainCarReturned,
  MergeTrainCheckFinished,
  MergeTrainCheckStarted,
  MergeTrainConfigured,
  MergeTrainJoined,
  MergeTrainStepRequested,
  type CommandOf,
  type ConfigureMergeTrain,
  type RecordTrainBuild,
  type RecordTrainCheck,
  type RecordTrainLand,
  type TrainCar,
} from '@baton/events';
import type { Train, TrainBatch, TrainFact, TrainsState } from './train.state';

export type MergeTrainCommand =
  | CommandOf<typeof ConfigureMergeTrain>
  | CommandOf<typeof RecordTrainBuild>
  | CommandOf<typeof RecordTrainCheck>
  | CommandOf<typeof RecordTrainLand>;

type Fact = TrainFact;

/**
 * What the train needs of the decision it runs in (the autopilot's, over the graph): its state,
 * a way to say train events (folded as they are said), and the graph-side consequences of a car
 * landing or needing a person, which the autopilot already knows how to decide.
 */
export interface TrainHost {
  readonly trains: TrainsState;
  say(...events: Fact[]): unknown;
  /** Whether the attempt is still active (a car whose attempt ended otherwise leaves). */
  attemptActive(attemptId: string): boolean;
  /** The car is on the target at `commit`: its attempt merged, its task done. */
  landed(car: TrainCar, target: string, commit: string): void;
  /** A person is asked to fix the car (needs-input, the subtree held). */
  askPerson(car: TrainCar, target: string, files: string[], message: string): void;
  /** A fresh id for a batch, the same on every redelivery of the deciding command. */
  newId(prefix: string, ...parts: string[]): string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const clip = (s: string) => s.slice(0, 2_000);

/** The car joins the train for `target` (nothing if it is aboard already), and the train moves if it stood. */
export function joinTrain(h: TrainHost, car: TrainCar, target: string, reason: string): void {
  const t = h.trains.trains.get(target);
  if (t?.queue.some((c) => c.attemptId === car.attemptId)) return;
  h.say(MergeTrainJoined({ ...car, target, reason: clip(reason) }));
  advance(h, target);
}

/** With no batch running: the cars whose attempt ended otherwise leave, then the next batch starts. */
export function advance(h: TrainHost, target: string): void {
  const t = h.trains.trains.get(target);
  if (!t || t.batch) return;
  for (const car of t.queue) {
    if (!h.attemptActive(car.attemptId)) h.say(MergeTrainCarLeft({ target, attemptId: car.attemptId, reason: `attempt ${car.attemptId} is not active any more` }));
  }
  if (!t.queue.length) return;
  const group = t.groups[0];
  const cars = group ? t.queue.filter((c) => group.includes(c.attemptId)) : t.queue.slice(0, h.trains.settings.maxBatch);
  const number = h.trains.batches + 1;
  const batchId = h.newId('mt', target, String(number));
  h.say(MergeTrainBatchStarted({ target, batchId, number, cars, bisecting: Boolean(group) }));
  nextStep(h, target);
}

function batchOf(t: Train | undefined, batchId: string): TrainBatch | null {
  return t?.batch?.batchId === batchId ? t.batch : null;
}

/** The batch's next step: build its next car, check the result, land it — or end an emptied batch. */
function nextStep(h: TrainHost, target: string): void {
  const t = h.trains.trains.get(target) as Train;
  const b = t.batch as TrainBatch;
  // A car whose attempt ended meanwhile (abandoned by a person) must not land with the others: build them again without it.
  const gone = b.cars.find((c) => !h.attemptActive(c.attemptId));
  if (gone) {
    h.say(MergeTrainBatchEnded({ target, batchId: b.batchId, outcome: 'rebuild', commit: null, groups: [], reason: `attempt ${gone.attemptId} ended meanwhile: the batch is built again without it` }));
    advance(h, target);
    return;
  }
  const unbuilt = b.cars.filter((c) => !b.built.has(c.attemptId));
  const lastBuilt = [...b.cars].reverse().find((c) => b.built.has(c.attemptId)) ?? null;
  if (unbuilt.length) {
    const onto = lastBuilt ? (b.built.get(lastBuilt.attemptId) as string) : null;
    // One step for the rest of the batch (a runner takes the cars it holds, in order); with no check, it lands them too.
    const land = !h.trains.settings.checkCommand;
    h.say(MergeTrainStepRequested({ step: 'build', target, batchId: b.batchId, cars: unbuilt, onto, integration: h.trains.settings.integration, land }));
    return;
  }
  if (!lastBuilt) {
    h.say(MergeTrainBatchEnded({ target, batchId: b.batchId, outcome: 'emptied', commit: null, groups: [], reason: 'every car went back to be fixed' }));
    advance(h, target);
    return;
  }
  const commit = b.built.get(lastBuilt.attemptId) as string;
  const { checkCommand, checkTimeoutSeconds } = h.trains.settings;
  if (checkCommand && b.phase === 'building') {
    const sessionId = h.newId('ck', b.batchId);
    h.say(MergeTrainCheckStarted({ target, batchId: b.batchId, sessionId, commit, command: checkCommand, timeoutSeconds: checkTimeoutSeconds }));
    return;
  }
  h.say(MergeTrainStepRequested({ step: 'land', target, batchId: b.batchId, car: lastBuilt, commit, base: b.base as string }));
}

/** Sends a car back to be fixed: to its agent while it has fix rounds left and the project lets it, else to a person. */
function sendBack(h: TrainHost, target: string, batchId: string | null, car: TrainCar, why: 'conflict' | 'check_failed' | 'failed', detail: { files?: string[]; message: string; checkSessionId?: string | null }): void {
  const { maxFixRounds, fixer } = h.trains.settings;
  const round = (h.trains.rounds.get(car.attemptId) ?? 0) + 1;
  const toPerson = why === 'failed' || fixer === 'person' || round > maxFixRounds;
  const files = detail.files ?? [];
  h.say(MergeTrainCarReturned({ ...car, target, batchId, why, files, checkSessionId: detail.checkSessionId ?? null, message: clip(detail.message), round, toPerson }));
  if (toPerson) {
    const after = why !== 'failed' && fixer === 'agent' ? ` (after ${plural(round - 1, 'fix round')}; at most ${maxFixRounds})` : '';
    h.askPerson(car, target, files, clip(`${detail.message}${after}`));
  }
}

type Landing = { outcome: 'landed'; commit: string } | { outcome: 'moved'; message: string } | { outcome: 'failed'; message: string };

/** The runner moved the target (or could not): the batch's cars land, or the batch is built again, or a person is asked. */
function land(h: TrainHost, target: string, b: TrainBatch, landing: Landing): void {
  const { batchId } = b;
  if (landing.outcome === 'landed') {
    const cars = [...b.cars];
    h.say(MergeTrainBatchEnded({ target, batchId, outcome: 'landed', commit: landing.commit, groups: [], reason: `${plural(cars.length, 'car')} landed on ${target}` }));
    for (const car of cars) h.landed(car, target, landing.commit);
  } else if (landing.outcome === 'moved') {
    h.say(MergeTrainBatchEnded({ target, batchId, outcome: 'rebuild', commit: null, groups: [], reason: clip(`${target} moved meanwhile: building again on its new tip (${landing.message})`) }));
  } else {
    for (const car of [...b.cars]) sendBack(h, target, batchId, car, 'failed', { message: `landing on ${target} failed: ${landing.message}` });
    h.say(MergeTrainBatchEnded({ target, batchId, outcome: 'emptied', commit: null, groups: [], reason: clip(`landing failed: ${landing.message}`) }));
  }
  advance(h, target);
}

export function decideMergeTrain(h: TrainHost, command: MergeTrainCommand): void {
  switch (command.type) {
    case 'merge_train.configure': {
      const { projectId: _p, ...changes } = command.data;
      const next = { ...h.trains.settings, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) };
      if (JSON.stringify(next) === JSON.stringify(h.trains.settings)) return;
      h.say(MergeTrainConfigured(next));
      // A larger batch or a train that was waiting on nothing: nothing to start; the next car moves it.
      return;
    }
    case 'merge_train.record_build': {
      const { target, batchId, cars: results, landing } = command.data;
      const t = h.trains.trains.get(target);
      const b = batchOf(t, batchId);
      // A step of a batch that is over, or cars already answered: an answer to a redelivery.
      if (!b || b.phase !== 'building') return;
      let applied = 0;
      for (const r of results) {
        const car = b.cars.find((c) => !b.built.has(c.attemptId));
        if (car?.attemptId !== r.attemptId) break;
        applied++;
        if (r.outcome === 'built') h.say(MergeTrainCarBuilt({ target, batchId, attemptId: car.attemptId, commit: r.commit, base: r.base }));
        else if (r.outcome === 'conflict') {
          const files = r.files;
          const inFiles = `${plural(files.length, 'file')}: ${files.slice(0, 10).join(', ')}${files.length > 10 ? ' …' : ''}`;
          const ahead = b.cars.filter((c) => b.built.has(c.attemptId));
          if (ahead.length) {
            const reason = `${car.branch} conflicts with ${plural(ahead.length, 'car')} ahead of it in batch ${b.number} (not with ${target}) in ${inFiles}: it waits for the next batch`;
            h.say(MergeTrainCarDeferred({ target, batchId, attemptId: car.attemptId, files, reason: clip(reason) }));
          } else sendBack(h, target, batchId, car, 'conflict', { files, message: `${car.branch} conflicts with ${target} in ${inFiles}` });
        } else sendBack(h, target, batchId, car, 'failed', { message: `putting ${car.branch} on ${target} failed: ${r.message}` });
      }
      if (!applied) return;
      const allBuilt = b.cars.every((c) => b.built.has(c.attemptId));
      if (landing && allBuilt && b.cars.length) {
        land(h, target, b, landing);
        return;
      }
      nextStep(h, target);
      return;
    }
    case 'merge_train.record_check': {
      const { target, batchId, sessionId, passed, summary } = command.data;
      const t = h.trains.trains.get(target);
      const b = batchOf(t, batchId);
      if (!b || b.phase !== 'checking' || b.checkSessionId !== sessionId) return;
      h.say(MergeTrainCheckFinished({ target, batchId, sessionId, passed, summary: clip(summary) }));
      if (passed) {
        nextStep(h, target);
        return;
      }
      const cars = b.cars.filter((c) => b.built.has(c.attemptId));
      if (cars.length > 1) {
        // Bisect: each half is built and checked on its own; a half that passes lands.
        const half = Math.ceil(cars.length / 2);
        const groups = [cars.slice(0, half), cars.slice(half)].map((g) => g.map((c) => c.attemptId));
        h.say(MergeTrainBatchEnded({ target, batchId, outcome: 'split', commit: null, groups, reason: clip(`the check failed on ${plural(cars.length, 'car')} together: trying them in halves (${summary})`) }));
      } else {
        const [car] = cars;
        sendBack(h, target, batchId, car, 'check_failed', { message: `the check failed on ${car.branch} put on ${target}${summary ? `: ${summary}` : ''}`, checkSessionId: sessionId });
        h.say(MergeTrainBatchEnded({ target, batchId, outcome: 'emptied', commit: null, groups: [], reason: clip(`the check failed${summary ? `: ${summary}` : ''}`) }));
      }
      advance(h, target);
      return;
    }
    case 'merge_train.record_land': {
      const { target, batchId } = command.data;
      const b = batchOf(h.trains.trains.get(target), batchId);
      if (!b || b.phase !== 'landing') return;
      land(h, target, b, command.data);
      return;
    }
    default: {
      const unknown: never = command;
      throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
    }
  }
}
