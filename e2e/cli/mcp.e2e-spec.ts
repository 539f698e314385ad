import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createTestNamespace, startService, type TestNamespace } from '@baton/testing';
import { CLI, cleanEnv } from './baton-cli';

const text = (r: unknown) => ((r as CallToolResult).content[0] as { type: 'text'; text: string }).text;
const data = <T = Record<string, unknown>>(r: unknown): T => {
  const res = r as CallToolResult;
  if (res.isError) throw new Error(`tool error: ${text(res)}`);
  return JSON.parse(text(res)) as T;
};

describe('baton mcp, driven by an MCP client over stdio', () => {
  let ns: TestNamespace;
  let client: Client;
  let transport: StdioClientTransport;
  let stderr = '';

  beforeAll(async () => {
    ns = await createTestNamespace();
    await startService('tasks', ns.env);
    const gateway = await startService('gateway', ns.env);
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp'],
      env: cleanEnv({ BATON_API_URL: gateway.url, BATON_TOKEN: ns.token }),
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    client = new Client({ name: 'baton-e2e', version: '0.0.0' });
    await client.connect(transport);
  }, 90_000);
  afterAll(async () => {
    await client?.close();
    await ns?.cleanup();
  });

  it('lists the task tools with their input schemas', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['list_projects', 'get_project', 'create_task', 'list_tasks', 'get_task', 'update_task', 'add_dependency', 'complete_task', 'fail_task', 'start_attempt', 'add_attempt_message', 'task_unblocks', 'export_project']),
    );
    expect(tools.find((t) => t.name === 'create_task')!.inputSchema).toMatchObject({ type: 'object', required: expect.arrayContaining(['projectId', 'title']) });
  });

  it('creates tasks with a dependency, completes one and finds the other ready', async () => {
    const project = data<{ id: string }>(await client.callTool({ name: 'create_project', arguments: { name: 'mcp-graph', repository: '/srv/mcp' } }));
    const first = data<{ id: string }>(await client.callTool({ name: 'create_task', arguments: { projectId: project.id, title: 'Design', priority: 1 } }));
    const second = data<{ id: string }>(
      await client.callTool({ name: 'create_task', arguments: { projectId: project.id, title: 'Build', dependsOn: [{ taskId: first.id }] } }),
    );

    const list = data<{ items: { id: string; status: string }[] }>(await client.callTool({ name: 'list_tasks', arguments: { projectId: project.id } }));
    expect(list.items.map((t) => t.id)).toEqual([first.id, second.id]);
    expect(list.items[1].status).not.toBe('ready');
    const unblocks = data<{ tasks: { id: string }[] }>(await client.callTool({ name: 'task_unblocks', arguments: { taskId: first.id } }));
    expect(unblocks.tasks.map((t) => t.id)).toEqual([second.id]);

    data(await client.callTool({ name: 'complete_task', arguments: { taskId: first.id, reason: 'designed' } }));
    // The server reads its own writes: no minSeq needed here.
    expect(data<{ status: string }>(await client.callTool({ name: 'get_task', arguments: { taskId: second.id } })).status).toBe('ready');

    const attempt = data<{ id: string }>(await client.callTool({ name: 'start_attempt', arguments: { taskId: second.id } }));
    data(await client.callTool({ name: 'add_attempt_message', arguments: { attemptId: attempt.id, text: 'Start with the walls' } }));
    const messages = data<{ items: { text: string }[] }>(await client.callTool({ name: 'list_attempt_messages', arguments: { attemptId: attempt.id } }));
    expect(messages.items.map((m) => m.text)).toContain('Start with the walls');

    const again = (await client.callTool({ name: 'start_attempt', arguments: { taskId: second.id } })) as CallToolResult;
    expect(again.isError).toBe(true);
    expect(text(again)).toContain(attempt.id);
    expect(text(again)).toMatch(/HTTP 409/);

    const tree = data<{ format: string; tasks: unknown[] }>(await client.callTool({ name: 'export_project', arguments: { projectId: project.id } }));
    expect(tree).toMatchObject({ format: 'baton.task-tree' });
    expect(tree.tasks).toHaveLength(2);
  });

  it('answers bad input with an error result, and keeps serving', async () => {
    const badArgs = (await client.callTool({ name: 'create_task', arguments: { projectId: 'P1', title: 'x', priority: 9 } })) as CallToolResult;
    expect(badArgs.isError).toBe(true);
    expect(text(badArgs)).toMatch(/priority/);

    const refused = (await client.callTool({ name: 'get_task', arguments: { taskId: 'no-such-task' } })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/no-such-task/);
    expect(text(refused)).toMatch(/HTTP 404/);

    const apiBad = (await client.callTool({ name: 'create_project', arguments: { name: 'ok', repository: '/r', defaultBranch: 'bad..branch' } })) as CallToolResult;
    expect(apiBad.isError).toBe(true);
    expect(text(apiBad)).toMatch(/HTTP 400/);

    expect(data<{ items: unknown[] }>(await client.callTool({ name: 'list_projects', arguments: {} })).items.length).toBeGreaterThan(0);
    expect(stderr).toBe('');
  });
});
