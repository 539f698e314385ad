import { sleep } from '@baton/testing';
import type { LoggedEvent } from '../sessions/harness/log';

/** A project's events from the log, with their stream sequence. */
export type ProjectEv = LoggedEvent['event'] & { data: Record<string, unknown>; seq: number };
export const ofProject = (log: LoggedEvent[], projectId: string): ProjectEv[] =>
  log.filter((e) => e.event.aggregate.type === 'project' && e.event.aggregate.id === projectId).map((e) => ({ ...e.event, seq: e.seq }) as unknown as ProjectEv);

/** Polls `probe` until it answers; on timeout the error says what was awaited and, with `onTimeout`, what the stack looked like. */
export async function eventually<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string, onTimeout?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe().catch(() => null);
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}${onTimeout ? `\n${await onTimeout().catch((e) => String(e))}` : ''}`);
    await sleep(250);
  }
}
