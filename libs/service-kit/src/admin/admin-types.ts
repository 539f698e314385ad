import type { ReadModelComparison, ReadModelState } from '@baton/contracts';

/*
 * What the admin queries answer (`admin_checkpoints`, `admin_rebuild`, `admin_verify`). The
 * read models' shapes are the admin API's own (libs/contracts/src/admin.ts), which the gateway
 * checks the answers against.
 */
export type { ReadModelComparison, ReadModelState, RowDifference } from '@baton/contracts';

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
