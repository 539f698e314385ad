import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { FakeApi, accepted, refusal, type Call } from '../__tests__/fake-ctx';
import { createMcpServer, mcpTools } from './server';

async function connect(answer?: (call: Call) => unknown) {
  const api = new FakeApi(answer);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer(api, '0.0.0').connect(serverSide);
  const client = new Client({ name: 'spec', version: '0' });
  await client.connect(clientSide);
  return { client, api };
}

const text = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

describe('baton mcp', () => {
  it('lists every tool with a JSON schema for its input', async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(mcpTools.map((t) => t.name).sort());
    const create = tools.find((t) => t.name === 'create_task')!;
    expect(create.inputSchema.required).toEqual(expect.arrayContaining(['projectId', 'title']));
    expect(tools.find((t) => t.name === 'get_task')!.annotations).toMatchObject({ readOnlyHint: true });
  });

  it('calls the REST API with the arguments it was given', async () => {
    const { client, api } = await connect(() => accepted('T7'));
    const res = await client.callTool({ name: 'create_task', arguments: { projectId: 'P1', title: 'Do it', dependsOn: [{ taskId: 'T1' }] } });
    expect(res.isError).toBeFalsy();
    expect(JSON.parse(text(res))).toMatchObject({ id: 'T7' });
    expect(api.calls[0]).toMatchObject({ method: 'POST', path: '/api/projects/P1/tasks', body: { title: 'Do it', dependsOn: [{ taskId: 'T1' }] } });
  });

  it('turns an API refusal into a tool error with its message', async () => {
    const { client } = await connect(refusal(409, 'task T1 already has an active attempt A1'));
    const res = await client.callTool({ name: 'start_attempt', arguments: { taskId: 'T1' } });
    expect(res.isError).toBe(true);
    expect(text(res)).toBe('task T1 already has an active attempt A1 (HTTP 409)');
  });

  it('answers bad arguments with a tool error, without asking the API', async () => {
    const { client, api } = await connect();
    const res = await client.callTool({ name: 'get_task', arguments: { taskId: 'a.b' } });
    expect(res.isError).toBe(true);
    expect(text(res)).toMatch(/taskId/);
    expect(api.calls).toEqual([]);
  });

  it('refuses a repository off the allow-list without asking the API', async () => {
    const { client, api } = await connect(() => accepted('P1'));
    for (const repository of ['fd::3', 'ext::sh -c x', '-uhelp', 'relative/repo']) {
      const res = await client.callTool({ name: 'create_project', arguments: { name: 'Web', repository } });
      expect(res.isError).toBe(true);
      expect(text(res)).toMatch(/repository/);
    }
    expect(api.calls).toEqual([]);
    expect((await client.callTool({ name: 'create_project', arguments: { name: 'Web', repository: 'git@github.com:o/r.git' } })).isError).toBeFalsy();
    expect(api.calls[0]).toMatchObject({ method: 'POST', path: '/api/projects', body: { repository: { location: 'git@github.com:o/r.git' } } });
  });

  it('gives Markdown back as text', async () => {
    const { client } = await connect(() => '# Task T1\n');
    expect(text(await client.callTool({ name: 'task_history', arguments: { taskId: 'T1' } }))).toBe('# Task T1\n');
  });
});
