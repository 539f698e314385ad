import { PassThrough } from 'node:stream';
import { baton, type Call } from '../__tests__/fake-ctx';
import { processCtx } from '../context';
import { TerminalLog } from '../demo-agent/terminal';

/* What the CLI prints of people's and agents' text never drives the terminal (security issue #12). */

const ESC = '\u001b';
const OSC52 = `${ESC}]52;c;cm0gLXJmIH4vCg==\u0007`;
const RLO = '\u202e';
/** Anything a terminal would act on: C0 but \n and \t, DEL, C1, bidi overrides and isolates. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const task = (over: Record<string, unknown> = {}) => ({
  id: 'T1',
  projectId: 'P1',
  number: 3,
  parentId: null,
  title: 'Login',
  description: '',
  acceptanceCriteria: [],
  priority: 2,
  labels: [],
  executionMode: 'agent',
  status: 'todo',
  blockedBy: null,
  dependsOn: [],
  dependants: [],
  childCount: 0,
  activeAttemptId: null,
  attemptCount: 0,
  sessionCount: 0,
  messageCount: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  doneAt: null,
  finishedAt: null,
  ...over,
});

describe('what the CLI prints', () => {
  it('baton task show drops an OSC 52 clipboard write from the description, keeping the text around it', async () => {
    const answer = () => task({ description: `Fix the form.${OSC52}\nThen\ttest it ✅`, acceptanceCriteria: [`works${ESC}[8m hidden`] });
    const sut = await baton(['task', 'show', 'T1'], answer);
    expect(sut.code).toBe(0);
    expect(sut.stdout).not.toMatch(UNSAFE);
    expect(sut.stdout).toContain('\nFix the form.\nThen\ttest it ✅\n');
    expect(sut.stdout).toContain('  - works hidden');
  });

  it('baton task list drops bidi overrides and escapes from titles', async () => {
    const answer = (c: Call) => (c.path.endsWith('/tasks') ? { items: [task({ title: `admin${RLO}nigol ${ESC}[31mred` })], total: 1, limit: 50, offset: 0 } : {});
    const sut = await baton(['task', 'list', 'P1'], answer);
    expect(sut.stdout).not.toMatch(UNSAFE);
    expect(sut.stdout).toContain('adminnigol red');
  });

  it('--json keeps the data exact, with C1 and bidi controls written as escapes', async () => {
    const title = `a${RLO}b\u009bc${OSC52}`;
    const sut = await baton(['task', 'show', 'T1', '--json'], () => task({ title }));
    expect(sut.stdout).not.toMatch(UNSAFE);
    expect(JSON.parse(sut.stdout).title).toBe(title);
  });

  it('baton attempt messages drops escape sequences from what the agent said', async () => {
    const items = [{ id: 'm1', taskId: 'T1', attemptId: 'A1', role: 'agent', kind: 'reply', text: `done${OSC52}\n${ESC}[2Jall green`, sessionId: 'S1', at: '2026-01-01T00:00:00.000Z', seq: 1 }];
    const sut = await baton(['attempt', 'messages', 'A1'], () => ({ items, nextAfterSeq: 1 }));
    expect(sut.stdout).not.toMatch(UNSAFE);
    expect(sut.stdout).toContain('done\nall green');
  });

  it('baton session logs drops escape sequences from timeline messages, one line each', async () => {
    const entry = { id: 'e1', seq: 1, at: '2026-01-01T12:03:04.000Z', kind: 'progress', message: `wrote${OSC52} the\nparser${RLO}`, taskId: null, progress: null };
    const sut = await baton(['session', 'logs', 'S1'], () => ({ items: [entry], nextAfterSeq: 1 }));
    expect(sut.stdout).not.toMatch(UNSAFE);
    expect(sut.stdout).toBe('12:03:04  progress        wrote the parser\n');
  });

  it('standard error quotes an error without its controls', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      processCtx().writeErr(`baton: session S1 ended failed: ${OSC52}gave up${RLO}\n`);
      expect(write).toHaveBeenCalledWith('baton: session S1 ended failed: gave up\n');
    } finally {
      write.mockRestore();
    }
  });

  it("the demo agent's terminal log drops controls from the task text it quotes, keeping its own colours", () => {
    const out = Object.assign(new PassThrough(), { isTTY: true });
    let written = '';
    out.on('data', (d: Buffer) => (written += d.toString()));
    const sut = new TerminalLog(out, () => new Date('2026-01-01T00:00:00.000Z'));
    sut.step(`working on ${OSC52}Login`);
    sut.ask(`which db?${RLO}`);
    expect(written).not.toContain(OSC52);
    expect(written).not.toContain(RLO);
    expect(written).toContain('working on Login');
    expect(written).toContain(`${ESC}[34m▸${ESC}[0m`);
  });
});
