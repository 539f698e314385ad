import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { TerminalScreen } from './screen';
import type { ScreenRequest, ScreenReply } from './threaded-screen';

/*
 * The runner's screens, parsed off its main thread (threaded-screen.ts): the main thread
 * reads the PTYs and publishes chunks, this thread feeds each session's headless xterm and
 * answers snapshots. Every write is acknowledged once parsed (the main thread bounds the
 * bytes in flight), every request answered with its id.
 */
// Keeping screens current is background work: on a busy machine the PTYs, the broker and the
// viewers come first, and the parser catches up (its backlog is bounded: past it the PTYs
// pause). Linux keeps a nice value per thread; /proc/thread-self names this one.
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 10);
} catch {
  // not Linux, or not allowed: the thread keeps the process's priority
}

const screens = new Map<string, TerminalScreen>();
const port = parentPort!;
const reply = (m: ScreenReply) => port.postMessage(m);

port.on('message', (m: ScreenRequest) => {
  if (m.op === 'open') {
    screens.get(m.id)?.dispose();
    screens.set(m.id, new TerminalScreen({ cols: m.cols, rows: m.rows, scrollback: m.scrollback, afterChunk: m.afterChunk }));
    return;
  }
  const screen = screens.get(m.id);
  switch (m.op) {
    case 'write':
      if (!screen) return reply({ op: 'written', id: m.id });
      void screen.write(m.data, m.chunk).then(() => reply({ op: 'written', id: m.id }));
      return;
    case 'resize':
      screen?.resize(m.cols, m.rows);
      return;
    case 'dispose':
      screen?.dispose();
      screens.delete(m.id);
      return;
    case 'snapshot':
    case 'text':
    case 'cursor': {
      if (!screen) return reply({ op: 'reply', req: m.req, error: 'no such screen' });
      const answer = m.op === 'snapshot' ? screen.snapshot({ scrollback: m.scrollback }) : m.op === 'text' ? screen.text() : screen.cursor();
      void (answer as Promise<unknown>).then(
        (value) => reply({ op: 'reply', req: m.req, value }),
        (e: unknown) => reply({ op: 'reply', req: m.req, error: (e as Error).message }),
      );
      return;
    }
  }
});
