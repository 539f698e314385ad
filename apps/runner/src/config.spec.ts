import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseLabels, RunnerConfigSchema } from './config';

// The kit's index also loads Nest (ESM), which jest cannot require; the schemas are all this needs.
jest.mock('@baton/service-kit', () => jest.requireActual('../../../libs/service-kit/src/config'));

describe(parseLabels.name, () => {
  it('reads k=v pairs, trimming blanks and ignoring empty entries', () => {
    expect(parseLabels(' gpu=a100, zone = eu-1 ,, os=linux ')).toEqual({ gpu: 'a100', zone: 'eu-1', os: 'linux' });
    expect(parseLabels('')).toEqual({});
    expect(parseLabels('empty=')).toEqual({ empty: '' });
  });

  it('names what is wrong', () => {
    expect(() => parseLabels('gpu')).toThrow(/"gpu" is not key=value/);
    expect(() => parseLabels('a=1,a=2')).toThrow(/given twice/);
    expect(() => parseLabels('bad key=1')).toThrow(/label key "bad key"/);
  });
});

describe('RunnerConfigSchema', () => {
  it('defaults capacity, id, labels and the data dir under ~/.baton/runner/<id> (as root /var/lib/baton/runner/<id>)', () => {
    const c = RunnerConfigSchema.parse({ BATON_RUNNER_ID: 'r7' });
    expect(c).toMatchObject({ BATON_RUNNER_CAPACITY: 4, BATON_RUNNER_LABELS: {}, PORT: 3103, BATON_RUNNER_PORTS: { from: 20_000, to: 29_999 } });
    // Root's home is closed to others, and a root runner's agents run as their own user (host/agent-user.ts).
    expect(c.BATON_DATA_DIR).toBe(process.getuid?.() === 0 && !existsSync(join(homedir(), '.baton', 'runner', 'r7')) ? '/var/lib/baton/runner/r7' : join(homedir(), '.baton', 'runner', 'r7'));
    expect(c.passEnv).toContain('PATH');
  });

  it('takes the variables it is given, as their types', () => {
    const c = RunnerConfigSchema.parse({ BATON_RUNNER_ID: 'r1', BATON_RUNNER_CAPACITY: '12', BATON_RUNNER_LABELS: 'gpu=yes', BATON_DATA_DIR: '/var/lib/baton', BATON_RUNNER_PASS_ENV: 'AWS_*, GITHUB_TOKEN' });
    expect(c).toMatchObject({ BATON_RUNNER_CAPACITY: 12, BATON_RUNNER_LABELS: { gpu: 'yes' }, BATON_DATA_DIR: '/var/lib/baton' });
    expect(c.passEnv).toEqual(expect.arrayContaining(['AWS_*', 'GITHUB_TOKEN']));
  });

  it('refuses bad values, naming the variable', () => {
    const issues = (env: Record<string, string>) => {
      const r = RunnerConfigSchema.safeParse(env);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(issues({ BATON_RUNNER_ID: 'has space' })).toEqual(['BATON_RUNNER_ID']);
    expect(issues({ BATON_RUNNER_CAPACITY: '-1' })).toEqual(['BATON_RUNNER_CAPACITY']);
    expect(issues({ BATON_RUNNER_LABELS: 'nope' })).toEqual(['BATON_RUNNER_LABELS']);
    expect(issues({ BATON_DATA_DIR: 'relative/dir' })).toEqual(['BATON_DATA_DIR']);
    expect(issues({ BATON_RUNNER_SECRET: 'short' })).toEqual(['BATON_RUNNER_SECRET']);
    expect(issues({ BATON_RUNNER_PORTS: '3000-2000' })).toEqual(['BATON_RUNNER_PORTS']);
  });
});
