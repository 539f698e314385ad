import { z } from 'zod';
import { loadConfig } from '@baton/service-kit';

/** The live layer's own settings; runner addresses and secret come from BATON_RUNNER_URLS / _SECRET (review/runner-directory.ts). */
export const LiveConfigSchema = z.object({
  /** Un-acknowledged terminal bytes a socket may have per session before it is paused and resynced. */
  BATON_LIVE_WINDOW_BYTES: z.coerce.number().int().min(16 * 1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024),
  /** A resume further back than this many log positions gets `resync` instead of a replay. */
  BATON_LIVE_RESUME_MAX: z.coerce.number().int().min(0).max(10_000_000).default(50_000),
  /** Rooms one socket may be in at once; a subscribe past it is refused whole (`limit_exceeded`). */
  BATON_LIVE_MAX_ROOMS: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
  /** Replays (subscribes with `sinceSeq`) one socket may have running or waiting; one more is refused. */
  BATON_LIVE_MAX_REPLAYS: z.coerce.number().int().min(1).max(10_000).default(8),
});
export type LiveConfig = z.output<typeof LiveConfigSchema>;

export function loadLiveConfig(env: NodeJS.ProcessEnv = process.env): LiveConfig {
  return loadConfig(LiveConfigSchema, env);
}
