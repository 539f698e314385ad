/*
 * What the admin queries answer (`admin_checkpoints`, `admin_rebuild`, `admin_verify`). The
 * gateway validates these shapes again with zod (apps/gateway/src/admin/admin.contracts.ts).
 */

export interface ReadModelState {
  name: string;
  /** The projection's version in this build of the service. */
  version: number;
  /** The version its rows were built with (null: never started). */
  storedVersion: number | null;
  /** Last stream sequence applied. */
  checkpoint: number;
  /** The log's last sequence minus the checkpoint. */
  lag: number;
  rows: number;
  updatedAt: string | null;
  /** The answering replica's own view: whether it leads this projection and what its loop does. */
  replica: { leader: boolean; memorySeq: number; phase: string; phaseMs: number; buffered: number };
}

export interface CheckpointsAnswer {
  service: string;
  /** The events stream's last sequence when asked. */
  lastSeq: number;
  readModels: ReadModelState[];
  /** The replica that answered. */
  answeredBy: string;
}

export interface RebuildAnswer {
  service: string;
  name: string;
  /** `rebuilding`: still replaying when `waitMs` ran out; follow it with admin_checkpoints. */
  status: 'caught_up' | 'rebuilding';
  /** The log's last sequence when the rebuild started: caught up once the checkpoint reaches it. */
  targetSeq: number;
  checkpoint: number;
  rows: number;
  ms: number;
  /** The replica that leads the projection and rebuilt it. */
  answeredBy: string;
}

export type RowDifferenceKind = 'only_live' | 'only_rebuilt' | 'different';

export interface RowDifference {
  id: string;
  kind: RowDifferenceKind;
  /** For `different`: the columns whose values differ. */
  columns?: string[];
}

export interface ReadModelComparison {
  name: string;
  /** The live checkpoint the comparison was made at (the scratch copy was built up to it). */
  checkpoint: number;
  storedVersion: number | null;
  liveRows: number;
  rebuiltRows: number;
  /** Rows in the live read model that the log does not produce. */
  onlyLive: number;
  /** Rows the log produces that the live read model lacks. */
  onlyRebuilt: number;
  /** Rows present in both with different values. */
  different: number;
  /** The first differing rows, by id. */
  sample: RowDifference[];
}

export interface VerifyAnswer {
  service: string;
  ok: boolean;
  /** Events read from the log to rebuild the scratch copies. */
  eventsRead: number;
  undecodable: number;
  ms: number;
  readModels: ReadModelComparison[];
  answeredBy: string;
}
