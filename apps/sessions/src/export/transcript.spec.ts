import { cmd, exit, history, place, register, report, reportStatus, spawn, spawned, t } from '../session/__tests__/session-fixtures';
import { replaySession } from '../session/replay';
import { toMarkdownTranscript } from './transcript';

describe(toMarkdownTranscript.name, () => {
  const replay = () =>
    replaySession(
      history(
        spawn({ taskIds: ['t1'] }, {}, t(0)),
        place('r1', t(1)),
        spawned('r1', t(2)),
        register(t(3)),
        report('task_started', { taskId: 't1', message: 'on it' }, t(4)),
        report('progress', { message: 'half | way\nthere', progress: 0.5 }, t(65)),
        cmd('session.send_input', { text: 'use postgres', kind: 'follow_up' }, t(70)),
        cmd('session.report_usage', { inputTokens: 1000, outputTokens: 200, costUsd: 0.42 }, t(80), 'agent'),
        reportStatus('completed', t(90), 'done'),
        exit(0, t(91)),
      ),
    );

  it('summarises the session, then its timeline and messages in time order', () => {
    const md = toMarkdownTranscript({
      sessionId: 's1',
      title: 'Add login',
      replay: replay(),
      messages: [
        { at: t(0), role: 'user', kind: 'prompt', text: 'Add a login page', sessionId: null },
        { at: t(85), role: 'agent', kind: 'reply', text: 'Done: login works.\n# not a heading', sessionId: 's1' },
      ],
    });
    expect(md).toContain('# Add login');
    expect(md).toContain('- Status: **completed** — done');
    expect(md).toContain('- Usage: 1200 tokens (1000 in, 200 out, 0 cache), $0.42');
    expect(md).toContain('| `t1` | processing |');
    expect(md).toContain('| 0:04 | task_started | on it task `t1` |');
    expect(md).toContain('| 1:05 | progress | half \\| way there (50%) task `t1` |');
    const order = ['### 0:00 — user (prompt)', '### 1:10 — user (input: follow_up)', '### 1:25 — agent (reply)'].map((h) => md.indexOf(h));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(md).toContain('> Done: login works.\n> # not a heading');
    expect(md).not.toMatch(/^# not a heading/m);
  });

  it('keeps what people and agents wrote but not its controls: no OSC 52, colour, BEL or bidi override', () => {
    const osc52 = '\u001b]52;c;cm0gLXJmIH4=\u0007';
    const md = toMarkdownTranscript({
      sessionId: 's1',
      title: `Add login${osc52}\u202e`,
      replay: replay(),
      messages: [{ at: t(85), role: 'agent', kind: 'reply', text: `Done.${osc52}\n\u001b[31mred\u001b[0m ✅\u0007\u009b2J`, sessionId: 's1' }],
    });
    // eslint-disable-next-line no-control-regex
    expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(md.startsWith('# Add login\n')).toBe(true);
    expect(md).toContain('> Done.\n> red ✅\n');
  });

  it('shows a follow-up once when it is in the conversation too', () => {
    const md = toMarkdownTranscript({ sessionId: 's1', title: '', replay: replay(), messages: [{ at: t(70), role: 'user', kind: 'follow_up', text: 'use postgres', sessionId: 's1' }] });
    expect(md.match(/> use postgres/g)).toHaveLength(1);
    expect(md.startsWith('# s1')).toBe(true);
  });
});
