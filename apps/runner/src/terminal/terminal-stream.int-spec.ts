import { tmpdir } from 'node:os';
import { ulid } from 'ulid';
import { Broker, lastTerminalChunk } from '@baton/event-store';
import { createTestNamespace, eventually, type TestNamespace } from '@baton/testing';
import { spawnPty } from '../pty/pty-process';
import { TerminalScreen } from './screen';
import { startTerminalPipeline } from './terminal-pipeline';
import { TerminalPublisher } from './terminal-publisher';
import { TerminalReader, concatFrames, replayWithPacing, type TerminalFrame } from './terminal-reader';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), LANG: 'C.UTF-8' };
const decode = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');

describe('terminal output on JetStream', () => {
  let ns: TestNamespace;
  let broker: Broker;
  let reader: TerminalReader;

  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
    reader = new TerminalReader(broker);
  });
  afterAll(async () => {
    await broker?.close();
    await ns?.cleanup();
  });

  const run = (argv: string[], sessionId = ulid(), screen?: TerminalScreen, coalescer?: { firstIndex: number; baseOffsetMs: number }) => {
    const pty = spawnPty({ argv, env, cwd: tmpdir(), cols: 80, rows: 24 });
    return { sessionId, pty, pipeline: startTerminalPipeline({ broker, sessionId, runnerId: 'r1', pty, screen, coalescer }) };
  };

  it('carries 5 MB printed as fast as a program can, complete and in order', async () => {
    const last = 750_000;
    const screen = new TerminalScreen({ cols: 80, rows: 24 });
    const t0 = performance.now();
    const { sessionId, pipeline } = run(['seq', '1', String(last)], ulid(), screen);
    expect(await pipeline.finished).toEqual({ exitCode: 0, signal: null });
    const seconds = (performance.now() - t0) / 1_000;

    const frames = await reader.read(sessionId);
    const bytes = concatFrames(frames);
    expect(bytes.byteLength).toBeGreaterThan(5_000_000);
    expect(bytes.byteLength).toBe(pipeline.publisher.stats.bytes);
    const lines = decode(bytes).split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(last);
    expect(lines.every((l, i) => l === String(i + 1))).toBe(true);

    expect(frames.map((f) => f.chunk)).toEqual(frames.map((_, i) => i));
    expect(frames.every((f, i) => i === 0 || f.offsetMs >= frames[i - 1].offsetMs)).toBe(true);
    expect(frames.every((f) => f.data.byteLength <= 64 * 1024)).toBe(true);
    expect((await screen.text()).split('\n').pop()).toBe(String(last));
    screen.dispose();
    if (process.env.BATON_TEST_VERBOSE) {
      const mb = bytes.byteLength / 1e6;
      console.log(`PTY → JetStream: ${mb.toFixed(2)} MB in ${frames.length} chunks, ${seconds.toFixed(2)} s, ${(mb / seconds).toFixed(1)} MB/s`);
    }
  });

  it('keeps the pauses of the original so a replay can follow them', async () => {
    const { sessionId, pipeline } = run(['bash', '-c', 'echo one; sleep 0.6; echo two; sleep 1.2; echo three']);
    await pipeline.finished;
    const frames = await reader.read(sessionId);
    const text = frames.map((f) => decode(f.data));
    const at = (word: string) => frames[text.findIndex((t) => t.includes(word))].offsetMs;
    // An offset is when the runner read the bytes: on a saturated machine a word is read late, so a
    // gap may come out shorter (the earlier word late) or longer (the later one late) than the pause.
    // The bounds leave 250 ms of such lateness; the second pause is twice the first, and must show so.
    expect(at('two') - at('one')).toBeGreaterThanOrEqual(350);
    expect(at('three') - at('two')).toBeGreaterThanOrEqual(950);
    expect(at('three') - at('two')).toBeGreaterThan(at('two') - at('one'));

    // The replay waits exactly the gaps between offsets (scaled by speed)…
    const waits: number[] = [];
    const written: TerminalFrame[] = [];
    await replayWithPacing(frames, (f) => void written.push(f), { speed: 2, sleep: async (ms) => void waits.push(ms) });
    expect(written).toEqual(frames);
    const gaps = frames.slice(1).map((f, i) => (f.offsetMs - frames[i].offsetMs) / 2).filter((g) => g > 0);
    expect(waits).toEqual(gaps);

    // …and in real time it takes as long as the original did.
    const t0 = performance.now();
    await replayWithPacing(frames, () => undefined);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(at('three') - at('one') - 20);
  });

  it('reads the chunks between two offsets', async () => {
    const { sessionId, pipeline } = run(['bash', '-c', 'echo early; sleep 0.4; echo middle; sleep 0.4; echo late']);
    await pipeline.finished;
    const all = await reader.read(sessionId);
    const middle = all.find((f) => decode(f.data).includes('middle'))!;
    const window = await reader.read(sessionId, { fromMs: middle.offsetMs - 100, untilMs: middle.offsetMs + 100 });
    expect(window.map((f) => decode(f.data)).join('')).toContain('middle');
    expect(window.map((f) => decode(f.data)).join('')).not.toMatch(/early|late/);
    expect(decode(await reader.bytesUntil(sessionId, middle.offsetMs))).toMatch(/early[^]*middle/);
  });

  it('returns nothing for a session without output', async () => {
    const sessionId = ulid();
    expect(await reader.read(sessionId)).toEqual([]);
    expect(await lastTerminalChunk(broker, sessionId, ['r1'])).toBeNull();
  });

  it('continues the chunks of a restarted session after the last stored one of its runners, not of a stranger', async () => {
    const first = run(['echo', 'first run']);
    await first.pipeline.finished;
    // Another runner writes far ahead under the session's id: it never hosted the session.
    const stranger = new TerminalPublisher(broker, first.sessionId, 'r9');
    stranger.publish({ index: 500, offsetMs: 99_000, data: new TextEncoder().encode('spoofed') });
    await stranger.drain();
    const last = (await lastTerminalChunk(broker, first.sessionId, ['r1']))!;
    expect(last.lastChunk).toBe(first.pipeline.coalescer.nextChunkIndex - 1);
    expect((await lastTerminalChunk(broker, first.sessionId, ['r1', 'r9']))!.lastChunk).toBe(500);

    const second = run(['echo', 'second run'], first.sessionId, undefined, { firstIndex: last.lastChunk + 1, baseOffsetMs: last.lastOffsetMs + 1 });
    await second.pipeline.finished;
    const frames = (await reader.read(first.sessionId)).filter((f) => f.chunk < 500);
    expect(decode(concatFrames(frames))).toMatch(/first run[^]*second run/);
    expect(frames.map((f) => f.chunk)).toEqual(frames.map((_, i) => i));
    expect(frames.every((f, i) => i === 0 || f.offsetMs >= frames[i - 1].offsetMs)).toBe(true);
  });

  it('stores a chunk once when it is published twice', async () => {
    const sessionId = ulid();
    const sut = new TerminalPublisher(broker, sessionId, 'r1');
    const chunk = { index: 0, offsetMs: 0, data: new TextEncoder().encode('once') };
    sut.publish(chunk);
    sut.publish(chunk);
    await sut.drain();
    expect(sut.stats).toMatchObject({ published: 1, duplicates: 1 });
    expect((await reader.read(sessionId)).map((f) => decode(f.data))).toEqual(['once']);
  });

  it('types keystrokes from the input subject into the program', async () => {
    const { sessionId, pipeline } = run(['bash', '-c', 'read x; echo got:$x']);
    await eventually(async () => {
      // The subscription may still be on its way to the server: send until the program has it.
      broker.nc.publish(broker.names.input('r1', sessionId), new TextEncoder().encode('typed words\r'));
      await broker.nc.flush();
      return pipeline.coalescer.nextChunkIndex > 0;
    }, 5_000, 'keystrokes echoed');
    await pipeline.finished;
    expect(decode(concatFrames(await reader.read(sessionId)))).toContain('got:typed words');
  });
});
