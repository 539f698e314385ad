import type { CommandAccepted, SessionView, TimelineEntry } from '@baton/contracts';
import { Broker, EventStore } from '@baton/event-store';
import { DeliverPolicy } from '@nats-io/jetstream';
import { registry, type CommandReply, type EventEnvelope } from '@baton/events';
import type { TestNamespace } from '@baton/testing';

/** One event of the log as JetStream holds it: stream sequence, subject, de-duplication id. */
export interface LoggedEvent {
  seq: number;
  subject: string;
  msgId: string | null;
  event: EventEnvelope & { data: Record<string, unknown> };
}

/** The whole event log of the namespace, read from JetStream (not from any read model). */
export async function readLog(ns: TestNamespace): Promise<LoggedEvent[]> {
  const broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace, name: 'e2e-log-reader' });
  try {
    const store = new EventStore(broker, registry);
    const last = await store.lastSeq();
    const out: LoggedEvent[] = [];
    if (last === 0) return out;
    for await (const m of store.rawRead({ fromSeq: 1, toSeq: last, subject: broker.names.evtAll })) {
      const decoded = store.decode(m);
      out.push({ seq: m.seq, subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id') ?? null, event: decoded as LoggedEvent['event'] });
    }
    return out;
  } finally {
    await broker.nc.close();
  }
}

/**
 * Every command any service processed in the namespace, with the reply it recorded (KV
 * `<ns>_command_results`, which the command processor writes once per command before it
 * acks): ids and sequences of the events it appended, or why it was refused. Read from the
 * bucket's stream in one pass.
 */
export async function readCommandResults(ns: TestNamespace): Promise<CommandReply[]> {
  const broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace, name: 'e2e-results-reader' });
  try {
    const stream = `KV_${broker.names.kv.commandResults}`;
    const info = await broker.jsm.streams.info(stream);
    const out: CommandReply[] = [];
    if (info.state.messages === 0) return out;
    const consumer = await broker.js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
    const messages = await consumer.consume({ max_messages: 1_000 });
    try {
      for await (const m of messages) {
        if (m.data.byteLength > 0) out.push(m.json<CommandReply>());
        if (m.info.pending === 0) break;
      }
    } finally {
      messages.stop();
      await consumer.delete().catch(() => undefined);
    }
    return out;
  } finally {
    await broker.nc.close();
  }
}

/**
 * The log against every command's recorded reply, both ways: each event of an accepted
 * command is in the log exactly once, at the sequence and with the type the reply names,
 * and caused by that command; a command's events are all there (no partial append left);
 * no refused command left events behind; and no event in the log lacks an accepted command
 * that names it. Returns the problems found.
 */
export function auditCommands(log: LoggedEvent[], results: CommandReply[]): string[] {
  const p: string[] = [];
  const byId = new Map(log.map((e) => [e.event.id, e]));
  const named = new Set<string>();
  const byCause = new Map<string, LoggedEvent[]>();
  for (const e of log) byCause.set(e.event.causationId, [...(byCause.get(e.event.causationId) ?? []), e]);
  for (const r of results) {
    const caused = byCause.get(r.commandId) ?? [];
    if (r.status !== 'accepted') {
      if (caused.length) p.push(`command ${r.commandId} was refused (${r.code}: ${r.message}) but caused ${caused.map((e) => `${e.event.type}@${e.seq}`).join(', ')}`);
      continue;
    }
    for (const ev of r.events) {
      named.add(ev.id);
      const found = byId.get(ev.id);
      if (!found) p.push(`command ${r.commandId}: its event ${ev.id} (${ev.type}@${ev.seq}) is not in the log`);
      else if (found.seq !== ev.seq || found.event.type !== ev.type || found.event.causationId !== r.commandId) {
        p.push(`command ${r.commandId}: event ${ev.id} answered as ${ev.type}@${ev.seq}, logged as ${found.event.type}@${found.seq} caused by ${found.event.causationId}`);
      }
    }
    if (caused.length !== r.events.length) p.push(`command ${r.commandId}: ${r.events.length} events answered, ${caused.length} in the log`);
    const batch = caused[0]?.event.batch;
    if (batch && caused.length !== batch.count) p.push(`command ${r.commandId}: ${caused.length} of its ${batch.count} events in the log`);
  }
  const orphans = log.filter((e) => !named.has(e.event.id));
  if (orphans.length) p.push(`${orphans.length} events in the log without an accepted command naming them, e.g. ${orphans.slice(0, 5).map((e) => `${e.event.type}@${e.seq} (cause ${e.event.causationId})`).join(', ')}`);
  return p;
}

export const ofSession = (log: LoggedEvent[], sessionId: string) => log.filter((e) => e.event.aggregate.type === 'session' && e.event.aggregate.id === sessionId);

const FINAL = new Set(['completed', 'failed', 'stopped', 'succeeded', 'exited']);

/**
 * "Nothing lost, nothing twice": every event once (ids and de-duplication ids unique), every
 * command the test saw accepted has each of its events in the log exactly once at the
 * sequence it was answered with. Returns the problems found (empty: all good).
 */
export function checkLogOnce(log: LoggedEvent[], accepted: CommandAccepted[]): string[] {
  const problems: string[] = [];
  const byId = new Map<string, LoggedEvent[]>();
  const byMsgId = new Map<string, number>();
  for (const e of log) {
    byId.set(e.event.id, [...(byId.get(e.event.id) ?? []), e]);
    if (e.msgId) byMsgId.set(e.msgId, (byMsgId.get(e.msgId) ?? 0) + 1);
  }
  for (const [id, copies] of byId) if (copies.length > 1) problems.push(`event ${id} (${copies[0].event.type}) is in the log ${copies.length} times, at ${copies.map((c) => c.seq).join(', ')}`);
  for (const [msgId, n] of byMsgId) if (n > 1) problems.push(`message id ${msgId} appended ${n} times`);
  for (const a of accepted) {
    for (const ev of a.events) {
      const found = byId.get(ev.id) ?? [];
      if (found.length !== 1) problems.push(`accepted command ${a.commandId} (${(a as { route?: string }).route ?? ''}): event ${ev.id} ${ev.type} found ${found.length} times`);
      else if (found[0].seq !== ev.seq || found[0].event.type !== ev.type) problems.push(`accepted event ${ev.id}: answered ${ev.type}@${ev.seq}, logged ${found[0].event.type}@${found[0].seq}`);
    }
  }
  return problems;
}

/**
 * A session's story, from its own subject only, must hang together: it starts with
 * `session.requested`; each status change starts where the one before ended; nothing moves
 * its status after it ended; it ended at most once; every spawn follows a placement; a lost
 * session never reports a spawn without a new placement. The read model's timeline is the
 * log's `timeline_recorded` events exactly (same ids, same order), and its status is the
 * log's last. Returns the problems found.
 */
export function checkSessionStory(sessionEvents: LoggedEvent[], view: SessionView, timeline: TimelineEntry[]): string[] {
  const p: string[] = [];
  const id = view.id;
  const types = sessionEvents.map((e) => e.event.type);
  if (types[0] !== 'session.requested') p.push(`${id}: first event is ${types[0]}, not session.requested`);
  let status = 'pending';
  let ended = 0;
  let placed = false;
  for (const e of sessionEvents) {
    const d = e.event.data;
    switch (e.event.type) {
      case 'session.status_changed':
        if (d.from !== status) p.push(`${id}@${e.seq}: status changed from ${String(d.from)} but it was ${status}`);
        if (FINAL.has(status)) p.push(`${id}@${e.seq}: status moved ${status} → ${String(d.to)} after it ended`);
        status = String(d.to);
        if (status === 'pending') placed = false;
        break;
      case 'session.placed':
        placed = true;
        break;
      case 'session.spawned':
        if (!placed) p.push(`${id}@${e.seq}: spawned without a placement since it went back to pending`);
        break;
      case 'session.ended':
        ended++;
        if (d.status !== status) p.push(`${id}@${e.seq}: ended ${String(d.status)} while its status is ${status}`);
        break;
      default:
        break;
    }
  }
  if (ended > 1) p.push(`${id}: ended ${ended} times`);
  if (view.status !== status) p.push(`${id}: read model says ${view.status}, the log says ${status}`);
  const logged = sessionEvents.filter((e) => e.event.type === 'session.timeline_recorded').map((e) => e.event.id);
  const shown = timeline.map((t) => t.id);
  if (JSON.stringify(logged) !== JSON.stringify(shown)) {
    const missing = logged.filter((x) => !shown.includes(x));
    const extra = shown.filter((x) => !logged.includes(x));
    p.push(`${id}: timeline read model differs from the log (${logged.length} logged, ${shown.length} shown; missing ${missing.join(',') || '-'}; extra ${extra.join(',') || '-'}; or out of order)`);
  }
  return p;
}

/** Status sequence of a session from its log: ['pending', 'spawning', 'idle', …]. */
export function statusPath(sessionEvents: LoggedEvent[]): { to: string; at: string; reason: string; seq: number }[] {
  return sessionEvents
    .filter((e) => e.event.type === 'session.status_changed')
    .map((e) => ({ to: String(e.event.data.to), at: e.event.occurredAt, reason: String(e.event.data.reason ?? ''), seq: e.seq }));
}

/**
 * `auditCommands` over the whole namespace once it is quiet. Commands still in flight (an
 * event appended, its reply not yet recorded) settle within moments, so a finding must
 * persist for `settleMs` to count.
 */
export async function auditNamespace(ns: TestNamespace, settleMs = 5_000): Promise<{ problems: string[]; commands: number; events: number }> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const log = await readLog(ns);
    const results = await readCommandResults(ns);
    const problems = auditCommands(log, results);
    if (!problems.length || Date.now() > deadline) return { problems, commands: results.length, events: log.length };
    await new Promise((r) => setTimeout(r, 500));
  }
}
