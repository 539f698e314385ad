import { names } from '../subjects';
import { decodeTerminalChunk, parseTerminalSize, runnerOfTerminalSubject, TERMINAL_CHUNK_HEADER, TERMINAL_OFFSET_HEADER } from './terminal-contract';

const headers = (h: Record<string, string>) => ({ get: (k: string) => h[k] ?? '' });
const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

describe('the terminal contract', () => {
  it('decodes a chunk with its index, offset and writing runner, and nothing else', () => {
    const subject = names('ns1').term('S1', 'r1');
    const data = enc('hello');
    expect(decodeTerminalChunk({ subject, headers: headers({ [TERMINAL_CHUNK_HEADER]: '3', [TERMINAL_OFFSET_HEADER]: '120' }), data })).toEqual({ chunk: 3, offsetMs: 120, data, runnerId: 'r1' });
    expect(decodeTerminalChunk({ subject, headers: headers({ [TERMINAL_CHUNK_HEADER]: '-1', [TERMINAL_OFFSET_HEADER]: '0' }), data })).toBeNull();
    expect(decodeTerminalChunk({ subject, headers: headers({ [TERMINAL_OFFSET_HEADER]: '0' }), data })).toBeNull();
    expect(decodeTerminalChunk({ subject: 'ns1.term.S1', headers: headers({ [TERMINAL_CHUNK_HEADER]: '0', [TERMINAL_OFFSET_HEADER]: '0' }), data })).toBeNull();
    expect(runnerOfTerminalSubject('ns1.evt.session.S1')).toBeNull();
  });

  it('takes only whole sizes in range', () => {
    expect(parseTerminalSize(enc({ cols: 120, rows: 36 }))).toEqual({ cols: 120, rows: 36 });
    for (const bad of [{ cols: 0, rows: 10 }, { cols: 1001, rows: 10 }, { cols: 80, rows: 501 }, { cols: 80.5, rows: 24 }, { cols: 80 }]) expect(parseTerminalSize(enc(bad))).toBeNull();
    expect(parseTerminalSize(enc('not json'))).toBeNull();
  });
});
