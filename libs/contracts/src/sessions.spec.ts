import { SessionTemplateSpecSchema } from '@baton/events';
import { ListSessionsQuery, ReportTimelineRequest, SpawnSessionRequest, TimelineQuery } from './sessions';
import { DefineTemplateRequest, TemplateSpecInput } from './templates';

const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => (r.error?.issues ?? []).map((i) => i.path.join('.'));

describe('session request schemas', () => {
  it('reads comma-separated statuses and kinds, once each, and names the parameter for an unknown one', () => {
    expect(ListSessionsQuery.parse({ status: 'pending, working,pending' }).status).toEqual(['pending', 'working']);
    expect(paths(ListSessionsQuery.safeParse({ status: 'pending,dreaming' }))).toEqual(['status']);
    expect(paths(ListSessionsQuery.safeParse({ status: ',' }))).toEqual(['status']);
    expect(TimelineQuery.parse({ kinds: 'progress,milestone' }).kinds).toEqual(['progress', 'milestone']);
    expect(paths(TimelineQuery.safeParse({ kinds: 'gossip' }))).toEqual(['kinds']);
  });

  it('normalizes an instant with an offset to UTC, and refuses what is not one', () => {
    expect(TimelineQuery.parse({ until: '2026-01-01T12:00:00+02:00' }).until).toBe('2026-01-01T10:00:00.000Z');
    expect(paths(TimelineQuery.safeParse({ until: 'yesterday' }))).toEqual(['until']);
  });

  it('takes progress (0..1) on progress reports only', () => {
    expect(ReportTimelineRequest.parse({ kind: 'progress', progress: 0.25 })).toEqual({ kind: 'progress', progress: 0.25, message: '', taskId: null });
    expect(paths(ReportTimelineRequest.safeParse({ kind: 'milestone', progress: 0.5 }))).toEqual(['progress']);
    expect(paths(ReportTimelineRequest.safeParse({ kind: 'progress', progress: 2 }))).toEqual(['progress']);
  });

  it('refuses a task listed twice, and a queue without tasks, naming taskIds', () => {
    expect(paths(SpawnSessionRequest.safeParse({ templateId: 't', taskIds: ['a', 'a'] }))).toEqual(['taskIds']);
    expect(paths(SpawnSessionRequest.safeParse({ templateId: 't', strategy: 'queue' }))).toEqual(['taskIds']);
    expect(SpawnSessionRequest.parse({ templateId: 't' })).toMatchObject({ taskIds: [], strategy: 'simple', role: 'worker', parentSessionId: null, prompt: null });
  });
});

describe('template request schemas', () => {
  it('fills in a full spec from a name and argv, registering agents and starting commands at once', () => {
    const agent = TemplateSpecInput.parse({ name: 'A', argv: ['claude'] });
    expect(SessionTemplateSpecSchema.parse(agent)).toEqual(agent);
    expect(agent).toMatchObject({ kind: 'agent', registration: 'agent', env: {}, restart: { mode: 'never' }, hooks: 'none' });
    expect(TemplateSpecInput.parse({ name: 'C', kind: 'command', argv: ['npm', 'run', 'dev'] }).registration).toBe('on_spawn');
  });

  it('names the field of the full spec that fails', () => {
    expect(paths(DefineTemplateRequest.safeParse({ spec: { name: 'x', argv: ['echo', '{{task.title}}'] } }))).toEqual(['spec.argv.1']);
    expect(paths(DefineTemplateRequest.safeParse({ spec: { name: 'x', argv: ['x'], registration: 'ready_pattern' } }))).toEqual(['spec.readyPattern']);
    expect(paths(DefineTemplateRequest.safeParse({ spec: { name: 'x', argv: ['x'], kind: 'command', hooks: 'claude-code' } }))).toEqual(['spec.hooks']);
    expect(paths(DefineTemplateRequest.safeParse({ spec: { name: 'x', argv: ['x'], extra: 1 } }))).toEqual(['spec']);
  });
});
