import { EventEmitter } from 'node:events';
import type { Ctx } from '../context';
import { attachTerminal, chunkInput, DETACH_KEY, splitAtDetach, type AttachIo } from './attach';

describe(splitAtDetach.name, () => {
  it('sends what comes before Ctrl-] and detaches', () => {
    expect(splitAtDetach('ls\r')).toEqual({ send: 'ls\r', detach: false });
    expect(splitAtDetach(`ab${DETACH_KEY}cd`)).toEqual({ send: 'ab', detach: true });
    expect(splitAtDetach(DETACH_KEY)).toEqual({ send: '', detach: true });
  });
  it('cuts a big paste into pieces the socket accepts', () => {
    expect(chunkInput('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
  });
});

describe(attachTerminal.name, () => {
  /** A socket.io client stand-in: records what the CLI emits, lets the spec play the gateway. */
  class FakeSocket extends EventEmitter {
    connected = true;
    sent: { event: string; body: unknown }[] = [];
    attachAck: ((ack: unknown) => void) | null = null;
    override emit(event: string, ...args: unknown[]): boolean {
      if (['connect', 'terminal:snapshot', 'event'].includes(event)) return super.emit(event, ...args);
      this.sent.push({ event, body: args[0] });
      if (event === 'terminal:attach') this.attachAck = args[1] as (ack: unknown) => void;
      return true;
    }
    disconnect() {
      this.connected = false;
    }
  }

  function start(readOnly: boolean) {
    const socket = new FakeSocket();
    const stdin = Object.assign(new EventEmitter(), { resume: () => undefined, pause: () => undefined });
    const out: string[] = [];
    const ctx = {
      env: {},
      connection: () => ({ apiUrl: 'http://gateway.invalid', token: 't' }),
      api: () => ({ get: async () => ({ id: 'S1', status: 'needs_input' }) }),
    } as unknown as Ctx;
    const io: AttachIo = {
      stdin,
      stdout: { write: (d) => (out.push(String(d)), true) },
      stderr: { write: (s: string) => out.push(s) },
      connect: () => socket as never,
    };
    const done = attachTerminal(ctx, 'S1', { readOnly }, io);
    return { socket, stdin, out, done };
  }
  const inputs = (s: FakeSocket) => s.sent.filter((m) => m.event === 'terminal:input').map((m) => (m.body as { data: string }).data);
  const settle = () => new Promise((r) => setImmediate(r));

  it('keeps keys typed before the gateway confirmed the attach and sends them once it has', async () => {
    const { socket, stdin, done } = start(false);
    await settle();
    socket.emit('connect');
    socket.emit('terminal:snapshot', { sessionId: 'S1', cols: 80, rows: 24, data: 'Which shape?', chunk: 3 });
    stdin.emit('data', 'circle\r');
    expect(inputs(socket)).toEqual([]);
    socket.attachAck!({ ok: true, data: { sessionId: 'S1', chunk: 3 } });
    expect(inputs(socket)).toEqual(['circle\r']);
    stdin.emit('data', 'more');
    expect(inputs(socket)).toEqual(['circle\r', 'more']);
    stdin.emit('data', DETACH_KEY);
    await done;
  });

  it('sends nothing from a read-only attach, before or after the gateway confirmed it', async () => {
    const { socket, stdin, done } = start(true);
    await settle();
    socket.emit('connect');
    stdin.emit('data', 'early');
    socket.attachAck!({ ok: true, data: { sessionId: 'S1', chunk: -1 } });
    stdin.emit('data', 'late');
    expect(inputs(socket)).toEqual([]);
    stdin.emit('data', DETACH_KEY);
    await done;
  });
});
