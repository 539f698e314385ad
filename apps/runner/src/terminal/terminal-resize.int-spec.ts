import { tmpdir } from 'node:os';
import { ulid } from 'ulid';
import { Broker } from '@baton/event-store';
import { createTestNamespace, eventually, type TestNamespace } from '@baton/testing';
import { spawnPty } from '../pty/pty-process';
import { TerminalScreen } from './screen';
import { parseTerminalSize } from '@baton/events';
import { startTerminalPipeline } from './terminal-pipeline';
import { TerminalReader, concatFrames } from './terminal-reader';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), LANG: 'C.UTF-8' };
const encode = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

describe('terminal resize from the resize subject', () => {
  let ns: TestNamespace;
  let broker: Broker;

  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
  });
  afterAll(async () => {
    await broker?.close();
    await ns?.cleanup();
  });

  it('resizes the PTY (the program sees it) and the screen, and ignores a malformed size', async () => {
    const sessionId = ulid();
    const screen = new TerminalScreen({ cols: 80, rows: 24 });
    const pty = spawnPty({ argv: ['bash', '-c', 'read x; stty size'], env, cwd: tmpdir(), cols: 80, rows: 24 });
    const pipeline = startTerminalPipeline({ broker, sessionId, runnerId: 'r1', pty, screen });
    const subject = broker.names.resize('r1', sessionId);
    expect(subject).toBe(`${ns.namespace}.resize.r1.${sessionId}`);

    broker.nc.publish(subject, encode('not json'));
    broker.nc.publish(subject, encode({ cols: 0, rows: 10 }));
    await eventually(async () => {
      // The subscription may still be on its way to the server: send until the screen follows.
      broker.nc.publish(subject, encode({ cols: 100, rows: 30 }));
      await broker.nc.flush();
      return screen.cols === 100 && screen.rows === 30;
    }, 5_000, 'the screen to take the new size');
    broker.nc.publish(broker.names.input('r1', sessionId), encode('\r'));
    await pipeline.finished;
    expect(new TextDecoder().decode(concatFrames(await new TerminalReader(broker).read(sessionId)))).toContain('30 100');
    screen.dispose();
  });

  it('parses only whole sizes in range', () => {
    expect(parseTerminalSize(encode({ cols: 120, rows: 36 }))).toEqual({ cols: 120, rows: 36 });
    for (const bad of [{ cols: 1.5, rows: 3 }, { cols: 80 }, { cols: 5_000, rows: 10 }, [], 'x', null]) expect(parseTerminalSize(encode(bad))).toBeNull();
    expect(parseTerminalSize(encode('{"cols":'))).toBeNull();
  });
});
