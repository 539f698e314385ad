import { DEFAULT_MERGE_TRAIN_SETTINGS, type MergeTrainEvent, type MergeTrainSettings, type TrainCar } from '@baton/events';

/** What one batch is doing: building its cars one on top of the other, checking the result, or landing it. */
export interface TrainBatch {
  batchId: string;
  number: number;
  /** Its cars in build order; a car sent back to be fixed leaves. */
  cars: TrainCar[];
  /** attemptId → the batch's result once that car was built on it. */
  built: Map<string, string>;
  /** The target's tip the batch is built on (known once its first car is built). */
  base: string | null;
  phase: 'building' | 'checking' | 'landing';
  checkSessionId: string | null;
  bisecting: boolean;
}

export interface Train {
  target: string;
  /** Every car waiting to land, in order; the batch's cars stay here until they land or leave. */
  queue: TrainCar[];
  batch: TrainBatch | null;
  /** After a failed batch: the halves to try next, in order (attempt ids). */
  groups: string[][];
}

export interface TrainsState {
  settings: MergeTrainSettings;
  /** By target branch. */
  trains: Map<string, Train>;
  /** Fix rounds each attempt has had (conflicts and failed checks sent back). */
  rounds: Map<string, number>;
  /** Attempts sent back to be fixed → their target: the attempt's next completed session joins again. */
  returned: Map<string, string>;
  /** Batches ever started (numbers them). */
  batches: number;
}

export function initialTrains(): TrainsState {
  return { settings: { ...DEFAULT_MERGE_TRAIN_SETTINGS }, trains: new Map(), rounds: new Map(), returned: new Map(), batches: 0 };
}

function cloneBatch(b: TrainBatch | null): TrainBatch | null {
  return b && { ...b, cars: [...b.cars], built: new Map(b.built) };
}

export function cloneTrains(s: TrainsState): TrainsState {
  return {
    settings: { ...s.settings },
    trains: new Map([...s.trains].map(([k, t]) => [k, { target: t.target, queue: [...t.queue], batch: cloneBatch(t.batch), groups: t.groups.map((g) => [...g]) }])),
    rounds: new Map(s.rounds),
    returned: new Map(s.returned),
    batches: s.batches,
  };
}

/** The train an attempt is on (queued or in its batch), if any. */
export function trainOf(s: TrainsState, attemptId: string): Train | null {
  for (const t of s.trains.values()) if (t.queue.some((c) => c.attemptId === attemptId)) return t;
  return null;
}

function trainFor(s: TrainsState, target: string): Train {
  let t = s.trains.get(target);
  if (!t) s.trains.set(target, (t = { target, queue: [], batch: null, groups: [] }));
  return t;
}

/** A car leaves the train: out of its queue, its batch and any group waiting to be tried. */
function leave(t: Train, attemptId: string): void {
  t.queue = t.queue.filter((c) => c.attemptId !== attemptId);
  if (t.batch) t.batch.cars = t.batch.cars.filter((c) => c.attemptId !== attemptId);
  t.groups = t.groups.map((g) => g.filter((id) => id !== attemptId)).filter((g) => g.length > 0);
}

type Facts<E> = E extends { type: string; data: unknown } ? Pick<E, 'type' | 'data'> : never;
export type TrainFact = Facts<MergeTrainEvent>;
type Fact = TrainFact;

/** Folds a merge-train event into `s`, in place (like the graph and the autopilot). */
export function evolveTrains(s: TrainsState, e: Fact): TrainsState {
  switch (e.type) {
    case 'project.merge_train_configured':
      s.settings = { ...e.data };
      return s;
    case 'project.merge_train_joined': {
      const { target, reason: _r, ...car } = e.data;
      const t = trainFor(s, target);
      if (!t.queue.some((c) => c.attemptId === car.attemptId)) t.queue.push(car);
      s.returned.delete(car.attemptId);
      return s;
    }
    case 'project.merge_train_batch_started': {
      const t = trainFor(s, e.data.target);
      s.batches = Math.max(s.batches, e.data.number);
      t.batch = { batchId: e.data.batchId, number: e.data.number, cars: [...e.data.cars], built: new Map(), base: null, phase: 'building', checkSessionId: null, bisecting: e.data.bisecting };
      if (e.data.bisecting) t.groups.shift();
      return s;
    }
    case 'project.merge_train_step_requested': {
      const b = s.trains.get(e.data.target)?.batch;
      if (b?.batchId === e.data.batchId && e.data.step === 'land') b.phase = 'landing';
      return s;
    }
    case 'project.merge_train_car_built': {
      const b = s.trains.get(e.data.target)?.batch;
      if (b?.batchId !== e.data.batchId) return s;
      b.built.set(e.data.attemptId, e.data.commit);
      b.base ??= e.data.base;
      return s;
    }
    case 'project.merge_train_check_started': {
      const b = s.trains.get(e.data.target)?.batch;
      if (b?.batchId === e.data.batchId) {
        b.phase = 'checking';
        b.checkSessionId = e.data.sessionId;
      }
      return s;
    }
    case 'project.merge_train_check_finished':
      return s;
    case 'project.merge_train_car_returned': {
      const t = trainFor(s, e.data.target);
      leave(t, e.data.attemptId);
      s.rounds.set(e.data.attemptId, e.data.round);
      s.returned.set(e.data.attemptId, e.data.target);
      return s;
    }
    case 'project.merge_train_car_deferred': {
      const b = s.trains.get(e.data.target)?.batch;
      if (b?.batchId === e.data.batchId) b.cars = b.cars.filter((c) => c.attemptId !== e.data.attemptId);
      return s;
    }
    case 'project.merge_train_car_left': {
      const t = s.trains.get(e.data.target);
      if (t) leave(t, e.data.attemptId);
      s.returned.delete(e.data.attemptId);
      return s;
    }
    case 'project.merge_train_batch_ended': {
      const t = trainFor(s, e.data.target);
      const b = t.batch;
      if (b?.batchId !== e.data.batchId) return s;
      if (e.data.outcome === 'landed') {
        for (const c of b.cars) {
          leave(t, c.attemptId);
          s.rounds.delete(c.attemptId);
        }
      }
      if (e.data.outcome === 'split') t.groups = [...e.data.groups.map((g) => [...g]), ...t.groups];
      t.batch = null;
      return s;
    }
    default: {
      const unknown: never = e;
      void unknown;
      return s;
    }
  }
}
