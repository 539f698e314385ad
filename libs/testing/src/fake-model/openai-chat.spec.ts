import { chatConversationView, openaiChatHandler } from './openai-chat';
import { startFakeModelServer, type FakeModelServer } from './server';

// The fake Chat Completions endpoint OpenCode's `@ai-sdk/openai-compatible` provider talks to.
describe('openaiChatHandler', () => {
  let server: FakeModelServer;
  beforeAll(async () => {
    server = await startFakeModelServer([openaiChatHandler], {
      turns: [{ match: 'GO', steps: [{ kind: 'shell', command: 'ls' }], reply: 'Done.', usage: { input: 7, output: 3 } }],
    });
  });
  afterAll(() => server.close());

  const tools = [{ type: 'function', function: { name: 'bash', parameters: { type: 'object', properties: { command: {}, description: {} } } } }];
  const post = (body: unknown) => fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('reads user texts (tool results excluded) and tool rounds since the last user text', () => {
    const view = chatConversationView({
      model: 'm',
      tools,
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: [{ type: 'text', text: 'first' }] },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'GO now' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'bash', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'out' },
      ],
    });
    expect(view).toEqual({ userTexts: ['first', 'GO now'], toolRoundsSinceUser: 1, tools: [{ name: 'bash', properties: ['command', 'description'] }], model: 'm' });
    expect(chatConversationView({ nope: true })).toBeNull();
  });

  it('streams a tool call as tool_calls deltas, then a usage chunk and [DONE]', async () => {
    const res = await post({ model: 'm', stream: true, stream_options: { include_usage: true }, tools, messages: [{ role: 'user', content: 'GO' }] });
    const chunks = (await res.text()).split('\n\n').filter(Boolean).map((l) => l.replace(/^data: /, ''));
    expect(chunks[chunks.length - 1]).toBe('[DONE]');
    const parsed = chunks.slice(0, -1).map((c) => JSON.parse(c) as { choices: { delta: { tool_calls?: { function: { name?: string; arguments: string } }[] }; finish_reason: string | null }[]; usage?: unknown });
    const args = parsed.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? [])).map((t) => t.function.arguments).join('');
    expect(JSON.parse(args)).toEqual({ command: 'ls' });
    expect(parsed.some((c) => c.choices[0]?.finish_reason === 'tool_calls')).toBe(true);
    expect(parsed[parsed.length - 1]).toMatchObject({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 3 } });
  });

  it('answers without a stream as one chat.completion with usage', async () => {
    const body = await (await post({ model: 'm', tools, messages: [{ role: 'user', content: 'GO' }, { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'bash', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c', content: '' }] })).json();
    expect(body).toMatchObject({ object: 'chat.completion', choices: [{ message: { role: 'assistant', content: 'Done.' }, finish_reason: 'stop' }], usage: { total_tokens: 10 } });
  });

  it('lists models', async () => {
    expect(await (await fetch(`${server.url}/v1/models`)).json()).toMatchObject({ object: 'list', data: [{ id: 'fake-model' }] });
  });
});
