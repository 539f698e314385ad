import { AttemptMessageAdded, ConfigureAutopilot, DecomposeTask, EditTask, RecordTaskPlan, type DomainEvent } from '@baton/events';
import { recorded } from '@baton/testing';
import { at, cmd, create, fail, finish, history, start } from './__tests__/graph-fixtures';
import { taskHistoryMarkdown } from './task-history';

describe(taskHistoryMarkdown.name, () => {
  it('tells the task’s story: details, timeline with causes, and each attempt’s conversation', () => {
    const graph = history(
      at('2026-01-01T09:00:00.000Z', create('db', { title: 'Database' })),
      at('2026-01-01T10:00:00.000Z', create('a', { title: 'Login', dependsOn: ['db'] })),
      at('2026-01-01T10:01:00.000Z', cmd(EditTask, { projectId: 'p1', taskId: 'a', description: 'Use OAuth.', acceptanceCriteria: ['works'], labels: ['web'] })),
      at('2026-01-01T11:00:00.000Z', fail('db', 'disk full')),
      at('2026-01-01T12:00:00.000Z', start('a', 'att1', { ignoreDependencies: true })),
      at('2026-01-01T13:00:00.000Z', finish('a', 'att1', 'merged')),
    );
    const conversation = [
      recorded({ type: 'task', id: 'a' }, AttemptMessageAdded({ attemptId: 'att1', role: 'user', kind: 'prompt', text: 'Build login\n# not a heading', sessionId: null }), '2026-01-01T12:00:01.000Z'),
      recorded({ type: 'task', id: 'a' }, AttemptMessageAdded({ attemptId: 'att1', role: 'agent', kind: 'reply', text: 'Done.', sessionId: 's1' }), '2026-01-01T12:30:00.000Z'),
    ];
    const md = taskHistoryMarkdown('a', [...graph, ...conversation] as DomainEvent[]);
    expect(md).toContain('# #2 Login');
    expect(md).toContain('## Description\n\nUse OAuth.');
    expect(md).toContain('## Acceptance criteria\n\n- works');
    expect(md).toContain('- 2026-01-01 11:00:00Z — **todo → blocked**: #1 Database is failed, needs success');
    expect(md).toContain('- 2026-01-01 12:00:00Z — attempt 1 started on `baton/login-att1` from `main`');
    expect(md).toContain('**in_progress → done**: an attempt was merged');
    expect(md).toContain('## Attempt 1 — `baton/login-att1` (merged)');
    expect(md).toContain('> Build login\n> # not a heading');
    expect(md).toContain('**agent** · reply · 2026-01-01 12:30:00Z · session `s1`');
  });

  it("puts the planner's decision, with its reason and the subtasks, on the task's timeline", () => {
    const graph = history(
      create('g', { title: 'Goal' }),
      cmd(ConfigureAutopilot, { projectId: 'p1', enabled: false, decomposeDepth: 2 }),
      cmd(DecomposeTask, { projectId: 'p1', taskId: 'g', sessionId: 'pl1' }),
      create('s1', { title: 'Step one', parent: 'g' }),
      cmd(RecordTaskPlan, { projectId: 'p1', taskId: 'g', decision: 'decompose', reason: 'two layers', sessionId: 'pl1' }),
    );
    const md = taskHistoryMarkdown('g', graph as DomainEvent[]);
    expect(md).toContain('planning: planner session `pl1` (`baton-demo-agent`, depth 2)');
    expect(md).toContain('**plan: DECOMPOSE** into #2 Step one — two layers (awaits a person)');
  });

  it('keeps what people and agents wrote but not its controls: no OSC 52, colour, BEL or bidi override', () => {
    const osc52 = '\u001b]52;c;cm0gLXJmIH4=\u0007';
    const graph = history(
      create('a', { title: 'Login\u202e' }),
      cmd(EditTask, { projectId: 'p1', taskId: 'a', description: `Use OAuth.${osc52}\nThen\ttest ✅`, acceptanceCriteria: ['\u001b[31mworks\u001b[0m'] }),
      start('a', 'att1', { ignoreDependencies: true }),
    );
    const conversation = [recorded({ type: 'task', id: 'a' }, AttemptMessageAdded({ attemptId: 'att1', role: 'agent', kind: 'reply', text: `ok\u0007\u009b2J${osc52}`, sessionId: null }))];
    const md = taskHistoryMarkdown('a', [...graph, ...conversation] as DomainEvent[]);
    // eslint-disable-next-line no-control-regex
    expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(md).toContain('# #1 Login\n');
    expect(md).toContain('## Description\n\nUse OAuth.\nThen\ttest ✅\n');
    expect(md).toContain('- works\n');
    expect(md).toContain('> ok\n');
  });

  it('says so when the task has no history', () => {
    expect(taskHistoryMarkdown('nope', [])).toBe('# Task nope\n\nNo history.\n');
  });
});
