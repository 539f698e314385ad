import { Inject, Injectable } from '@nestjs/common';
import { readHeartbeat } from './heartbeat';
import { Broker } from '@baton/event-store';

/** A runner silent this long is gone (decision 0006). */
export const RUNNER_SILENT_AFTER_MS = 10_000;

/** Liveness from the heartbeat KV (`<ns>_runners`), never from events. */
@Injectable()
export class RunnerLiveness {
  constructor(@Inject(Broker) private readonly broker: Broker) {}

  async of(runnerIds: readonly string[], now = Date.now()): Promise<Map<string, { alive: boolean; lastHeartbeatAt: string | null }>> {
    const kv = await this.broker.kv(this.broker.names.kv.runners);
    const out = new Map<string, { alive: boolean; lastHeartbeatAt: string | null }>();
    await Promise.all(
      runnerIds.map(async (id) => {
        const at = (await readHeartbeat(kv, id))?.at ?? null;
        out.set(id, { alive: at !== null && now - Date.parse(at) <= RUNNER_SILENT_AFTER_MS, lastHeartbeatAt: at });
      }),
    );
    return out;
  }
}
