import { AttemptView, CommandAccepted, MessagePage, PromptMetricsList, PromptTemplatePage, PromptTemplateView, PromptVersionAccepted, PromptVersionView, RenderedPrompt } from '@baton/contracts';
import { errorOf, fieldsOf, startApi, type Api } from '../openapi/__tests__/api-harness';

describe('prompt templates over REST: versions, rendering, attempts that record their version, metrics', () => {
  let api: Api;
  let projectId: string;
  let taskId: string;
  let templateId: string;
  let v1: string;
  let v2: string;

  beforeAll(async () => {
    api = await startApi();
    projectId = CommandAccepted.parse((await api.call('POST', '/api/projects', { name: 'Prompts', repository: { location: '/srv/p' } })).body).id;
    taskId = CommandAccepted.parse((await api.call('POST', `/api/projects/${projectId}/tasks`, { title: '$(rm -rf ~) stays a title' })).body).id;
  }, 60_000);
  afterAll(() => api?.close());

  it('creates a template with its first version and adds a second naming its parent', async () => {
    const created = await api.call('POST', '/api/prompt-templates', {
      projectId,
      name: 'Implement',
      body: 'Implement {{task.title}} in a {{tone}} way.',
      variables: [{ name: 'tone', description: 'how to write' }],
      note: 'first',
    });
    expect(created.status).toBe(201);
    ({ id: templateId, versionId: v1 } = PromptVersionAccepted.parse(created.body));
    const added = await api.call('POST', `/api/prompt-templates/${templateId}/versions`, {
      body: 'Implement {{task.title}} ({{task.priority}}) in a {{tone}} way, with tests.',
      variables: [{ name: 'tone', default: 'calm' }],
      note: 'with tests',
    });
    expect(added.status).toBe(201);
    const second = PromptVersionAccepted.parse(added.body);
    v2 = second.versionId;
    expect(second.id).toBe(v2);

    const template = PromptTemplateView.parse((await api.call('GET', `/api/prompt-templates/${templateId}?minSeq=${second.seq}`)).body);
    expect(template).toMatchObject({ name: 'Implement', projectId, latestVersionId: v2, versionCount: 2 });
    expect(template.versions.map((v) => [v.id, v.number, v.parentVersionId])).toEqual([
      [v1, 1, null],
      [v2, 2, v1],
    ]);
    expect(PromptVersionView.parse((await api.call('GET', `/api/prompt-versions/${v1}`)).body)).toMatchObject({ templateId, note: 'first' });
    const list = PromptTemplatePage.parse((await api.call('GET', `/api/prompt-templates?projectId=${projectId}`)).body);
    expect(list.items.map((t) => t.id)).toEqual([templateId]);
    expect(PromptTemplatePage.parse((await api.call('GET', '/api/prompt-templates')).body).total).toBe(0);
  });

  it('refuses a version that uses an undeclared variable, naming it, and appends nothing', async () => {
    const before = await api.logState();
    const res = await api.call('POST', `/api/prompt-templates/${templateId}/versions`, { body: 'Hello {{who}}' });
    expect(res.status).toBe(400);
    expect(errorOf(res).message).toContain('"who"');
    expect((await api.logState()).events).toBe(before.events);
  });

  it('renders a version for a task as plain text, and names a missing value', async () => {
    const rendered = RenderedPrompt.parse((await api.call('POST', `/api/prompt-versions/${v1}/render`, { taskId, values: { tone: 'careful' } })).body);
    expect(rendered.text).toBe('Implement $(rm -rf ~) stays a title in a careful way.');
    expect(RenderedPrompt.parse((await api.call('POST', `/api/prompt-versions/${v2}/render`, { taskId })).body).text).toBe(
      'Implement $(rm -rf ~) stays a title (P2) in a calm way, with tests.',
    );
    const missing = await api.call('POST', `/api/prompt-versions/${v1}/render`, { taskId });
    expect(missing.status).toBe(400);
    expect(fieldsOf(missing)).toEqual(['values.tone']);
  });

  it('lets a viewer render but not write', async () => {
    const viewer = await api.user('viewer', projectId);
    expect((await api.call('POST', `/api/prompt-versions/${v2}/render`, { taskId }, { token: viewer })).status).toBe(200);
    expect((await api.call('POST', `/api/prompt-templates/${templateId}/versions`, { body: 'x' }, { token: viewer })).status).toBe(403);
  });

  it('starts an attempt with a version: it records the version and opens the conversation with the rendered prompt', async () => {
    const before = await api.logState();
    const refused = await api.call('POST', `/api/tasks/${taskId}/attempts`, { promptVersionId: v1 });
    expect(refused.status).toBe(400);
    expect(fieldsOf(refused)).toEqual(['promptValues.tone']);
    expect((await api.logState()).events).toBe(before.events);

    const res = await api.call('POST', `/api/tasks/${taskId}/attempts`, { promptVersionId: v1, promptValues: { tone: 'bold' } });
    expect(res.status).toBe(201);
    const started = CommandAccepted.parse(res.body);
    expect(started.events.map((e) => e.type)).toContain('task.attempt_message_added');
    const attempt = AttemptView.parse((await api.call('GET', `/api/attempts/${started.id}?minSeq=${started.seq}`)).body);
    expect(attempt.promptVersionId).toBe(v1);
    const messages = MessagePage.parse((await api.call('GET', `/api/attempts/${started.id}/messages?minSeq=${started.seq}`)).body);
    expect(messages.items.map((m) => [m.role, m.kind, m.text])).toEqual([['user', 'prompt', 'Implement $(rm -rf ~) stays a title in a bold way.']]);

    const finished = CommandAccepted.parse((await api.call('POST', `/api/attempts/${started.id}/finish`, { outcome: 'merged' })).body);
    const byTemplate = PromptMetricsList.parse((await api.call('GET', `/api/prompt-metrics?templateId=${templateId}&minSeq=${finished.seq}`)).body);
    expect(byTemplate).toEqual([
      { promptVersionId: v1, attempts: 1, finished: 1, merged: 1, completionRate: 1, tasks: 1, taskCompletionRate: 1, attemptsPerTask: 1 },
    ]);
    expect(PromptMetricsList.parse((await api.call('GET', `/api/prompt-metrics?projectId=${projectId}`)).body).map((m) => m.promptVersionId)).toEqual([v1]);
  });

  it('renames and archives a template', async () => {
    const renamed = CommandAccepted.parse((await api.call('POST', `/api/prompt-templates/${templateId}/rename`, { name: 'Build' })).body);
    expect(PromptTemplateView.parse((await api.call('GET', `/api/prompt-templates/${templateId}?minSeq=${renamed.seq}`)).body).name).toBe('Build');
    const archived = CommandAccepted.parse((await api.call('POST', `/api/prompt-templates/${templateId}/archive`)).body);
    const active = PromptTemplatePage.parse((await api.call('GET', `/api/prompt-templates?projectId=${projectId}&minSeq=${archived.seq}`)).body);
    expect(active.total).toBe(0);
    const all = PromptTemplatePage.parse((await api.call('GET', `/api/prompt-templates?projectId=${projectId}&includeArchived=true`)).body);
    expect(all.items.map((t) => [t.id, t.status])).toEqual([[templateId, 'archived']]);
  });
});
