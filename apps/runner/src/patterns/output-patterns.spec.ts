import type { RunnerStart } from '@baton/events';
import { OutputPatterns, type OutputMatch } from './output-patterns';

type Spec = RunnerStart['patterns'];
const none: Spec = { ready: null, success: null, error: null, quota: null, parsers: [] };
const bytes = (s: string) => Buffer.from(s, 'utf8');

function make(spec: Partial<Spec>, opts: { now?: () => number } = {}) {
  const matches: OutputMatch[] = [];
  const sut = new OutputPatterns({ ...none, ...spec }, { onMatch: (m) => matches.push(m), idleMs: 20, ...opts });
  return { sut, matches };
}

describe(OutputPatterns.name, () => {
  it('reports ready once, with the trimmed line and its named groups', () => {
    const { sut, matches } = make({ ready: 'listening on port (?<port>\\d+)' });
    sut.push(bytes('  \x1b[32mlistening on port 3000\x1b[0m  \r\n'));
    sut.push(bytes('listening on port 3001\r\n'));
    sut.end();
    expect(matches).toEqual([{ pattern: 'ready', parser: null, text: 'listening on port 3000', groups: { port: '3000' } }]);
  });

  it('finds a match whose text arrives split over many chunks', () => {
    const { sut, matches } = make({ error: 'FATAL: (?<why>.+)' });
    for (const ch of 'build FATAL: disk full\n') sut.push(bytes(ch));
    expect(matches).toMatchObject([{ pattern: 'error', groups: { why: 'disk full' } }]);
  });

  it('matches a prompt that ends without a newline once output pauses, and not again when the line ends', async () => {
    const { sut, matches } = make({ parsers: [{ name: 'ask', pattern: '\\(y/n\\)', kind: 'needs_input' }] });
    sut.push(bytes('Overwrite file? (y/n) '));
    expect(matches).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(matches).toMatchObject([{ pattern: 'parser', parser: 'ask', text: 'Overwrite file? (y/n)' }]);
    sut.push(bytes('y\n'));
    sut.end();
    expect(matches).toHaveLength(1);
  });

  it('reports every pattern a line matches, and each at most once per line', () => {
    const { sut, matches } = make({ success: 'done', parsers: [{ name: 'pct', pattern: '(?<percent>\\d+)%', kind: 'progress' }] });
    sut.push(bytes('10% 20% done\n'));
    expect(matches.map((m) => [m.pattern, m.groups])).toEqual([
      ['success', {}],
      ['parser', { percent: '10' }],
    ]);
  });

  it('rate-limits a parser: a burst, then one per second; identical redraws are one match', () => {
    let now = 0;
    const { sut, matches } = make({ parsers: [{ name: 'step', pattern: 'step (?<n>\\d+)', kind: 'milestone' }] }, { now: () => now });
    for (let i = 0; i < 50; i++) sut.push(bytes(`step ${i}\n`));
    expect(matches).toHaveLength(5);
    now += 1_000;
    for (let i = 50; i < 60; i++) sut.push(bytes(`step ${i}\n`));
    expect(matches).toHaveLength(6);
    now += 10_000;
    sut.push(bytes('step 99\nstep 99\nstep 99\n'));
    expect(matches).toHaveLength(7);
    expect(sut.stats).toMatchObject({ reported: 7, suppressed: 56 });
  });

  it('does nothing (not even decoding) without patterns', () => {
    const { sut, matches } = make({});
    sut.push(bytes('anything\n'));
    sut.end();
    expect(matches).toEqual([]);
    expect(sut.stats.matched).toBe(0);
  });
});
