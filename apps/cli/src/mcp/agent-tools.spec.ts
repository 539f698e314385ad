import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { FakeApi, accepted, type Call } from '../__tests__/fake-ctx';
import type { Env } from '../context';
import { createMcpServer, toolsFor } from './server';

async function connect(env: Env, answer?: (call: Call) => unknown) {
  const api = new FakeApi(answer);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer(api, '0.0.0', toolsFor(env)).connect(serverSide);
  const client = new Client({ name: 'spec', version: '0' });
  await client.connect(clientSide);
  return { client, api };
}

const text = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

describe('baton mcp agent tools', () => {
  it('reports on the session it runs in', async () => {
    const { client, api } = await connect({ BATON_SESSION_ID: 'S1' });
    await client.callTool({ name: 'report_progress', arguments: { progress: 0.25, message: 'schema' } });
    await client.callTool({ name: 'needs_input', arguments: { question: 'Postgres or SQLite?' } });
    await client.callTool({ name: 'complete_task', arguments: { summary: 'done' } });
    await client.callTool({ name: 'spawn_worker', arguments: { templateId: 'baton-demo-agent', taskIds: ['T2'] } });
    expect(api.calls.map((c) => [c.path, c.body])).toEqual([
      ['/api/sessions/S1/reports', { kind: 'progress', message: 'schema', progress: 0.25 }],
      ['/api/sessions/S1/reports', { kind: 'needs_input', message: 'Postgres or SQLite?' }],
      ['/api/sessions/S1/reports', { kind: 'task_completed', message: 'done' }],
      ['/api/sessions/S1/workers', { templateId: 'baton-demo-agent', taskIds: ['T2'] }],
    ]);
  });

  it('answers queue_next with the task, or empty', async () => {
    const task = { id: 'T1', title: 'A', description: '', acceptanceCriteria: [] };
    const { client } = await connect({ BATON_SESSION_ID: 'S1' }, (c) => (c.method === 'POST' ? { ...accepted('S1'), task } : null));
    expect(JSON.parse(text(await client.callTool({ name: 'queue_next', arguments: {} })))).toEqual({ empty: false, task });
    const drained = await connect({ BATON_SESSION_ID: 'S1' }, (c) => (c.method === 'POST' ? accepted('S1') : { id: 'S1', status: 'completed', items: [] }));
    expect(JSON.parse(text(await drained.client.callTool({ name: 'queue_next', arguments: {} })))).toMatchObject({ empty: true });
  });

  it('outside a session keeps the operator complete_task and asks for a session id elsewhere', async () => {
    const { client, api } = await connect({});
    await client.callTool({ name: 'complete_task', arguments: { taskId: 'T1' } });
    expect(api.calls[0].path).toBe('/api/tasks/T1/complete');
    const res = await client.callTool({ name: 'report_milestone', arguments: { message: 'x' } });
    expect(res.isError).toBe(true);
    expect(text(res)).toMatch(/BATON_SESSION_ID/);
  });
});
