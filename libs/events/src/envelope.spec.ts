import { completeDecisions } from './envelope';

const e = (name: string, batch?: { index: number; count: number }) => ({ name, batch });

describe(completeDecisions.name, () => {
  it('keeps a log that ends on a whole decision', () => {
    const log = [e('a'), e('b1', { index: 0, count: 2 }), e('b2', { index: 1, count: 2 })];
    expect(completeDecisions(log)).toEqual(log);
    expect(completeDecisions([])).toEqual([]);
  });

  it('leaves out a decision still being appended at the end', () => {
    const log = [e('a', { index: 0, count: 1 }), e('c1', { index: 0, count: 3 }), e('c2', { index: 1, count: 3 })];
    expect(completeDecisions(log).map((x) => x.name)).toEqual(['a']);
    expect(completeDecisions([e('d1', { index: 0, count: 2 })])).toEqual([]);
  });
});
