/*
 * While a JetStream cluster elects a new leader for a stream (a node was lost: 4–9 s on
 * nats-server 2.9, docs/decisions/0013), requests to that stream get no answer at all — a
 * publish, a STREAM.MSG.GET, a KV get or put. With one 10 s timeout each such request held its
 * command for 10 s after the election was over; short tries, repeated, answer within a moment
 * of the new leader. Only requests that are safe to repeat go through here: reads, and
 * publishes with a Nats-Msg-Id (a try that was stored after all is answered as a duplicate).
 */

/** One try's timeout. */
export const TRY_TIMEOUT_MS = 2_000;
/** How long tries are repeated: past one election with a second round to spare. */
export const ANSWER_WITHIN_MS = 15_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The broker did not answer (timeout, or nobody listening on the subject yet), as opposed to refusing. */
export function isNoAnswer(e: unknown): boolean {
  for (let err = e as { name?: string; message?: string; cause?: unknown } | undefined, depth = 0; err && depth < 4; err = err.cause as typeof err, depth++) {
    if (err.name === 'TimeoutError' || /no responders|timeout/i.test(err.message ?? '')) return true;
  }
  return false;
}

export async function untilAnswered<T>(work: () => Promise<T>, forMs = ANSWER_WITHIN_MS): Promise<T> {
  const deadline = Date.now() + forMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (e) {
      if (!isNoAnswer(e) || Date.now() >= deadline) throw e;
      await sleep(Math.min(500, 50 * 2 ** attempt));
    }
  }
}
