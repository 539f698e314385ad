import { RunnerHeartbeatSchema, type RunnerHeartbeat } from '@baton/events';
import type { KV } from '@nats-io/kv';

/** A runner's latest heartbeat in the KV bucket `<ns>_runners`; null when absent or unreadable. */
export async function readHeartbeat(kv: KV, runnerId: string): Promise<RunnerHeartbeat | null> {
  const entry = await kv.get(runnerId).catch(() => null);
  if (!entry || entry.operation !== 'PUT') return null;
  let json: unknown;
  try {
    json = JSON.parse(entry.string());
  } catch {
    return null;
  }
  const beat = RunnerHeartbeatSchema.safeParse(json);
  return beat.success ? beat.data : null;
}
