import { connect } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Accepted } from './http';

export interface LoggedEvent {
  seq: number;
  id: string;
  type: string;
  causationId: string;
  batch?: { index: number; count: number };
}

/** Every event of the namespace's log, in order, read raw (no decoding beyond JSON). */
export async function readLog(natsUrl: string, namespace: string): Promise<LoggedEvent[]> {
  const nc = await connect({ servers: natsUrl.split(','), timeout: 5_000 });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = `${namespace.toUpperCase()}_EVENTS`;
    const last = (await jsm.streams.info(stream)).state.last_seq;
    const out: LoggedEvent[] = [];
    if (!last) return out;
    // nats-server before 2.12 may place an ephemeral consumer on a peer that is down (nats-io/nats-server#7165):
    // such a creation never answers. Each try is placed anew.
    const js = jetstream(nc, { timeout: 3_000 });
    let consumer;
    for (let attempt = 1; ; attempt++) {
      try {
        consumer = await js.consumers.get(stream, { filter_subjects: `${namespace}.evt.>`, deliver_policy: DeliverPolicy.All });
        break;
      } catch (e) {
        if ((e as Error).name !== 'TimeoutError' || attempt >= 10) throw e;
      }
    }
    const messages = await consumer.consume({ max_messages: 1_000 });
    for await (const m of messages) {
      const e = m.json<{ id: string; type: string; causationId: string; batch?: { index: number; count: number } }>();
      out.push({ seq: m.seq, id: e.id, type: e.type, causationId: e.causationId, batch: e.batch });
      if (m.seq >= last || m.info.pending === 0) break;
    }
    messages.stop();
    return out;
  } finally {
    await nc.close();
  }
}

export interface ExactlyOnceReport {
  accepted: number;
  eventsExpected: number;
  /** Accepted commands some of whose answered events are not in the log. */
  missing: string[];
  /** Accepted commands with more events in the log than they answered (a double append). */
  duplicated: string[];
  /** Event ids that appear twice in the log. */
  duplicateEventIds: string[];
  /** Answered sequences that do not hold the answered event. */
  misplaced: string[];
}

/** Every accepted command's events are in the log, exactly once, where its answer said. */
export function exactlyOnce(accepted: Accepted[], log: LoggedEvent[]): ExactlyOnceReport {
  const byCause = new Map<string, LoggedEvent[]>();
  const seen = new Set<string>();
  const duplicateEventIds: string[] = [];
  const bySeq = new Map<number, LoggedEvent>();
  for (const e of log) {
    if (seen.has(e.id)) duplicateEventIds.push(e.id);
    seen.add(e.id);
    bySeq.set(e.seq, e);
    const list = byCause.get(e.causationId) ?? [];
    list.push(e);
    byCause.set(e.causationId, list);
  }
  const report: ExactlyOnceReport = { accepted: accepted.length, eventsExpected: 0, missing: [], duplicated: [], duplicateEventIds, misplaced: [] };
  const commandIds = new Set<string>();
  for (const a of accepted) {
    if (commandIds.has(a.commandId)) continue; // the same command answered twice (a resend): one check
    commandIds.add(a.commandId);
    report.eventsExpected += a.events.length;
    const logged = byCause.get(a.commandId) ?? [];
    const ids = new Set(logged.map((e) => e.id));
    if (a.events.some((e) => !ids.has(e.id))) report.missing.push(a.commandId);
    if (logged.length > a.events.length) report.duplicated.push(a.commandId);
    if (a.events.some((e) => bySeq.get(e.seq)?.id !== e.id)) report.misplaced.push(a.commandId);
  }
  return report;
}
