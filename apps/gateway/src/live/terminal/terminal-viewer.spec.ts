import type { ResyncMessage, TerminalDataMessage, TerminalSnapshotMessage } from '@baton/contracts';
import { TerminalViewer } from './terminal-viewer';

const frame = (chunk: number, bytes = 10) => ({ seq: chunk + 1, chunk, offsetMs: chunk, data: new Uint8Array(bytes), runnerId: 'r1' });

describe(TerminalViewer.name, () => {
  let sent: (TerminalDataMessage | TerminalSnapshotMessage | ResyncMessage)[];
  let screenAt: number;
  const make = (window = 100) =>
    new TerminalViewer({
      sessionId: 's1',
      window,
      out: { data: (m) => sent.push(m), snapshot: (m) => sent.push(m), resync: (m) => sent.push(m) },
      snapshot: async () => ({ sessionId: 's1', cols: 80, rows: 24, data: `screen@${screenAt}`, chunk: screenAt, alternateScreen: false, source: 'log' }),
    });
  const chunks = () => sent.filter((m): m is TerminalDataMessage => 'offsetMs' in m).map((m) => m.chunk);

  beforeEach(() => {
    sent = [];
    screenAt = -1;
  });

  it('sends the snapshot, then only the chunks after it, in order', async () => {
    const sut = make();
    screenAt = 1;
    const syncing = sut.sync('attach');
    sut.offer(frame(0));
    sut.offer(frame(1));
    sut.offer(frame(2));
    await syncing;
    sut.offer(frame(3));
    sut.offer(frame(3));
    expect(sent[0]).toMatchObject({ data: 'screen@1', chunk: 1 });
    expect(chunks()).toEqual([2, 3]);
  });

  it('stops sending past the window and resyncs once the client caught up', async () => {
    const sut = make(100);
    await sut.sync('attach');
    for (let i = 0; i < 20; i++) sut.offer(frame(i, 30));
    // 4 chunks (120 bytes) went out: the 4th crossed the window.
    expect(chunks()).toEqual([0, 1, 2, 3]);
    expect(sut.state).toBe('paused');
    sut.ack(60);
    expect(sut.state).toBe('paused');
    screenAt = 19;
    sut.ack(40); // 20 left: under a quarter of the window
    await new Promise((r) => setImmediate(r));
    expect(sut.state).toBe('live');
    expect(sent.at(-1)).toEqual({ kind: 'terminal', sessionId: 's1', reason: 'slow_consumer', snapshot: expect.objectContaining({ chunk: 19 }) });
    sut.offer(frame(19, 30));
    sut.offer(frame(20, 30));
    expect(chunks().slice(4)).toEqual([20]);
  });

  it('sends nothing after it was closed', async () => {
    const sut = make();
    const syncing = sut.sync('attach');
    sut.close();
    await syncing;
    sut.offer(frame(0));
    expect(sent).toEqual([]);
  });
});
