import { decodeDirected, DirectedDecodeError } from './directed-consumer';

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const subject = (type: string) => `baton.cmd.runner.r1.${type}`;

describe(decodeDirected.name, () => {
  const stop = { sessionId: 's1', reason: 'done', graceMs: 1_000, cleanup: true };

  it('takes the type from the subject and validates the body with its schema', () => {
    expect(decodeDirected(subject('stop'), enc(stop))).toEqual({ type: 'stop', data: stop });
    expect(decodeDirected(subject('input'), enc({ sessionId: 's1', data: 'ls\r' }))).toEqual({ type: 'input', data: { sessionId: 's1', data: 'ls\r', submit: false } });
  });

  it('unwraps an envelope around the data', () => {
    expect(decodeDirected(subject('stop'), enc({ id: 'c1', type: 'stop', runnerId: 'r1', data: stop }))).toEqual({ type: 'stop', data: stop });
  });

  it('refuses what is not a valid message, saying why', () => {
    expect(() => decodeDirected(subject('explode'), enc({}))).toThrow(/unknown runner message type "explode"/);
    expect(() => decodeDirected(subject('stop'), enc('{not json'))).toThrow(/not JSON/);
    expect(() => decodeDirected(subject('stop'), enc({ ...stop, graceMs: -1 }))).toThrow(/invalid stop: graceMs/);
    expect(() => decodeDirected(subject('input'), enc({ sessionId: '../x', data: 'a' }))).toThrow(DirectedDecodeError);
    expect(() => decodeDirected(subject('start'), enc({ sessionId: 's1' }))).toThrow(/invalid start/);
    expect(() => decodeDirected(subject('stop'), enc({ ...stop, extra: 1 }))).toThrow(DirectedDecodeError);
  });
});
