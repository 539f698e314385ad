import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { names } from '@baton/events';
import { TerminalPublisher } from './terminal-publisher';
import type { TerminalChunk } from './output-coalescer';

/** A JetStream stand-in whose acks the test releases by hand (the real broker is in the int-spec). */
class HeldAcks {
  calls: { subject: string; msgID: string; offset: string | undefined; chunk: string | undefined; settle: (ok: boolean) => void }[] = [];
  readonly js = {
    publish: (subject: string, _data: Uint8Array, opts: { msgID: string; headers: { get(k: string): string } }) =>
      new Promise<PubAck>((resolve, reject) =>
        this.calls.push({
          subject,
          msgID: opts.msgID,
          offset: opts.headers.get('Baton-Offset-Ms'),
          chunk: opts.headers.get('Baton-Chunk'),
          settle: (ok) => (ok ? resolve({ stream: 'S', seq: this.calls.length, duplicate: false } as PubAck) : reject(new Error('timeout'))),
        }),
      ),
  } as unknown as JetStreamClient;
  ackAll(): void {
    const open = this.calls.splice(0);
    open.forEach((c) => c.settle(true));
  }
}

const chunk = (index: number): TerminalChunk => ({ index, offsetMs: index * 10, data: new Uint8Array([index]) });
const tick = () => new Promise((r) => setImmediate(r));

describe(TerminalPublisher.name, () => {
  it('publishes to the session subject with offset, chunk and an idempotent msg id', async () => {
    const acks = new HeldAcks();
    const sut = new TerminalPublisher({ js: acks.js, names: names('ns1') }, 'S1', 'r1');
    sut.publish(chunk(7));
    expect(acks.calls[0]).toMatchObject({ subject: 'ns1.term.S1.r1', msgID: 'S1:7', offset: '70', chunk: '7' });
    acks.ackAll();
    await sut.drain();
    expect(sut.stats).toMatchObject({ published: 1, bytes: 1 });
  });

  it('keeps at most maxInFlight unacknowledged, pauses at the limit and resumes at half', async () => {
    const acks = new HeldAcks();
    const pressure: boolean[] = [];
    const sut = new TerminalPublisher({ js: acks.js, names: names('ns1') }, 'S1', 'r1', { maxInFlight: 4, onBackpressure: (p) => pressure.push(p) });
    for (let i = 0; i < 6; i++) sut.publish(chunk(i));
    expect(acks.calls).toHaveLength(4);
    expect(sut.backlog).toBe(6);
    expect(pressure).toEqual([true]);

    acks.calls.splice(0, 3).forEach((c) => c.settle(true)); // backlog 6 → 3, still above half
    await tick();
    expect(pressure).toEqual([true]);
    expect(acks.calls.map((c) => c.msgID)).toEqual(['S1:3', 'S1:4', 'S1:5']);
    acks.calls.splice(0, 1).forEach((c) => c.settle(true)); // backlog 2 = half: resume
    await tick();
    expect(pressure).toEqual([true, false]);
    acks.ackAll();
    await sut.drain();
    expect(sut.backlog).toBe(0);
  });

  it('retries a failed publish with the same msg id, holding its slot meanwhile', async () => {
    const acks = new HeldAcks();
    const sut = new TerminalPublisher({ js: acks.js, names: names('ns1') }, 'S1', 'r1', { maxInFlight: 1 });
    sut.publish(chunk(0));
    sut.publish(chunk(1));
    acks.calls.shift()!.settle(false);
    await new Promise((r) => setTimeout(r, 80)); // first backoff is 50 ms
    expect(acks.calls.map((c) => c.msgID)).toEqual(['S1:0']);
    acks.ackAll();
    await tick();
    expect(acks.calls.map((c) => c.msgID)).toEqual(['S1:1']);
    acks.ackAll();
    await sut.drain();
    expect(sut.stats).toMatchObject({ published: 2, retries: 1, dropped: 0 });
  });

  it('drops and reports a chunk after its last attempt, and goes on with the rest', async () => {
    const acks = new HeldAcks();
    const errors: number[] = [];
    const sut = new TerminalPublisher({ js: acks.js, names: names('ns1') }, 'S1', 'r1', { maxAttempts: 2, onError: (_e, c) => errors.push(c.index) });
    sut.publish(chunk(0));
    acks.calls.shift()!.settle(false);
    await new Promise((r) => setTimeout(r, 80));
    acks.calls.shift()!.settle(false);
    await sut.drain();
    expect(errors).toEqual([0]);
    expect(sut.stats).toMatchObject({ published: 0, dropped: 1 });
  });
});
