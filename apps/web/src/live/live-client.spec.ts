import type { LiveEventMessage } from '@baton/contracts';
import { LiveClient, type SocketFactory } from './live-client';

type Handler = (...args: unknown[]) => void;

/** A socket.io client double: records what the client emits, lets the spec play the server. */
class FakeSocket {
  readonly handlers = new Map<string, Handler[]>();
  readonly emitted: { event: string; msg: unknown; ack?: Handler }[] = [];
  disconnected = false;
  on(event: string, fn: Handler) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  emit(event: string, msg: unknown, ack?: Handler) {
    this.emitted.push({ event, msg, ack });
    return this;
  }
  removeAllListeners() {
    this.handlers.clear();
    return this;
  }
  disconnect() {
    this.disconnected = true;
    return this;
  }
  serve(event: string, ...args: unknown[]) {
    for (const fn of this.handlers.get(event) ?? []) fn(...args);
  }
  last(event: string) {
    return [...this.emitted].reverse().find((e) => e.event === event)!;
  }
}

const ev = (seq: number): LiveEventMessage => ({ seq, event: { type: 'project.renamed', aggregate: { type: 'project', id: 'p' }, data: { name: `n${seq}` } } }) as unknown as LiveEventMessage;

describe(LiveClient.name, () => {
  let sockets: FakeSocket[];
  let sut: LiveClient;
  const tokens: string[] = [];
  beforeEach(() => {
    jest.useFakeTimers();
    sockets = [];
    const factory: SocketFactory = (auth) => {
      auth((data) => tokens.push((data as { token: string }).token));
      const s = new FakeSocket();
      sockets.push(s);
      return s as unknown as ReturnType<SocketFactory>;
    };
    sut = new LiveClient(() => 'btn_token', factory);
  });
  afterEach(() => jest.useRealTimers());

  it('authenticates with the token, subscribes on connect, and hands the watcher each event once', async () => {
    const seen: number[] = [];
    sut.connect();
    const w = sut.watch(['project:p'], { event: (m) => seen.push(m.seq), resync: () => undefined });
    expect(tokens.at(-1)).toBe('btn_token');
    sockets[0].serve('connect');
    const sub = sockets[0].last('subscribe');
    expect(sub.msg).toEqual({ rooms: ['project:p'] }); // first time: live from now
    sub.ack!({ ok: true, rooms: ['project:p'], seq: 100 });
    await expect(w.joined).resolves.toBe(100);
    for (const s of [101, 102, 102, 100, 103]) sockets[0].serve('event', ev(s));
    expect(seen).toEqual([101, 102, 103]);
  });

  it('reconnects with backoff and resumes right after the last event seen: no gap, no duplicate', () => {
    const seen: number[] = [];
    sut.connect();
    sut.watch(['project:p'], { event: (m) => seen.push(m.seq), resync: () => undefined });
    sockets[0].serve('connect');
    sockets[0].last('subscribe').ack!({ ok: true, rooms: ['project:p'], seq: 10 });
    sockets[0].serve('event', ev(11));
    sockets[0].serve('disconnect', 'transport close');
    expect(sut.getSnapshot()).toMatchObject({ status: 'reconnecting', attempt: 1 });
    expect(sockets).toHaveLength(1);
    jest.advanceTimersByTime(700);
    expect(sockets).toHaveLength(2);
    sockets[1].serve('connect');
    expect(sockets[1].last('subscribe').msg).toEqual({ rooms: ['project:p'], sinceSeq: 11 });
    // The gateway replays what was missed, then live ones; a late duplicate is dropped.
    for (const s of [12, 13, 11, 14]) sockets[1].serve('event', ev(s));
    sockets[1].last('subscribe').ack!({ ok: true, rooms: ['project:p'], seq: 13 });
    sockets[1].serve('event', ev(14));
    sockets[1].serve('event', ev(15));
    expect(seen).toEqual([11, 12, 13, 14, 15]);
    expect(sut.getSnapshot()).toMatchObject({ status: 'connected', reconnects: 1, attempt: 0 });
  });

  it('stops retrying when the gateway refuses the token', () => {
    sut.connect();
    sockets[0].serve('connect_error', Object.assign(new Error('x'), { data: { code: 'unauthorized', message: 'unknown or revoked token' } }));
    expect(sut.getSnapshot()).toMatchObject({ status: 'refused', error: 'unknown or revoked token' });
    jest.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('asks watchers to reload on an events resync and continues from its sequence', () => {
    let reloads = 0;
    const seen: number[] = [];
    sut.connect();
    sut.watch(['project:p'], { event: (m) => seen.push(m.seq), resync: () => reloads++ });
    sockets[0].serve('connect');
    sockets[0].serve('resync', { kind: 'events', reason: 'too_far_behind', rooms: ['project:p'], seq: 500 });
    expect(reloads).toBe(1);
    sockets[0].serve('event', ev(499));
    sockets[0].serve('event', ev(501));
    expect(seen).toEqual([501]);
  });

  it('re-attaches terminals after a reconnect, batches acks, and leaves rooms nobody wants', () => {
    const snaps: number[] = [];
    sut.connect();
    sockets[0].serve('connect');
    const t = sut.attachTerminal('S1', { cols: 120, rows: 36 }, { snapshot: (m) => snaps.push(m.chunk), data: () => undefined });
    expect(sockets[0].last('terminal:attach').msg).toEqual({ sessionId: 'S1', cols: 120, rows: 36 });
    t.ack(1_000);
    t.ack(2_000);
    expect(sockets[0].emitted.filter((e) => e.event === 'terminal:ack')).toHaveLength(0);
    jest.advanceTimersByTime(50);
    expect(sockets[0].last('terminal:ack').msg).toEqual({ sessionId: 'S1', bytes: 3_000 });
    t.resize(100, 30);
    expect(sockets[0].last('terminal:resize').msg).toEqual({ sessionId: 'S1', cols: 100, rows: 30 });

    sockets[0].serve('disconnect', 'transport close');
    t.input('x'); // disconnected: dropped, not queued
    jest.advanceTimersByTime(700);
    sockets[1].serve('connect');
    expect(sockets[1].last('terminal:attach').msg).toEqual({ sessionId: 'S1', cols: 100, rows: 30 });
    expect(sockets[1].emitted.some((e) => e.event === 'terminal:input')).toBe(false);
    sockets[1].serve('terminal:snapshot', { sessionId: 'S1', chunk: 7 });
    expect(snaps).toEqual([7]);
    t.detach();
    expect(sockets[1].last('terminal:detach').msg).toEqual({ sessionId: 'S1' });

    const w = sut.watch(['project:p'], { event: () => undefined, resync: () => undefined });
    w.stop();
    expect(sockets[1].last('unsubscribe').msg).toEqual({ rooms: ['project:p'] });
  });
});
