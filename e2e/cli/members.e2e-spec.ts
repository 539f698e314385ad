import { Broker } from '@baton/event-store';
import { createTestNamespace, startService, type TestNamespace } from '@baton/testing';
import { cleanEnv, json, runCli, type Ran } from './baton-cli';

interface Member {
  userId: string;
  role: string;
  effectiveRole: string;
}

/** `baton project members | add-member | set-member-role | remove-member` against the real tasks service and gateway (docs/decisions/0023). */
describe('project membership through the baton CLI', () => {
  let ns: TestNamespace;
  let url: string;
  let admin: Record<string, string>;
  const as = (env: Record<string, string>) => (...args: string[]) => runCli(args, env);
  const ok = async (r: Promise<Ran>): Promise<Ran> => {
    const ran = await r;
    if (ran.code !== 0) throw new Error(`exited ${ran.code}: ${ran.stderr}`);
    return ran;
  };

  beforeAll(async () => {
    ns = await createTestNamespace();
    await startService('tasks', ns.env);
    url = (await startService('gateway', ns.env)).url;
    admin = cleanEnv({ BATON_API_URL: url, BATON_TOKEN: ns.token });
  }, 90_000);
  afterAll(() => ns?.cleanup());

  it('adds, lists, changes and removes a member; the member sees the project only while it is one', async () => {
    const baton = as(admin);
    const project = json<{ id: string; seq: number }>(await ok(baton('project', 'create', '--name', 'cli-members', '--repo', '/srv/m', '--json')));
    const user = json<{ id: string; token: string }>(await ok(baton('user', 'create', '--name', 'Mia', '--role', 'operator', '--json')));
    const mia = as(cleanEnv({ BATON_API_URL: url, BATON_TOKEN: user.token }));

    expect((await mia('project', 'show', project.id)).code).toBe(1);
    expect((await ok(baton('project', 'add-member', project.id, '--user', user.id, '--role', 'viewer'))).stdout).toBe(`user ${user.id} is a viewer of project ${project.id}\n`);
    expect((await ok(mia('project', 'list'))).stdout).toContain(project.id);
    const members = json<Member[]>(await ok(baton('project', 'members', project.id, '--json')));
    expect(members).toEqual(
      expect.arrayContaining([expect.objectContaining({ userId: 'admin', role: 'operator' }), expect.objectContaining({ userId: user.id, role: 'viewer', effectiveRole: 'viewer' })]),
    );
    expect((await ok(baton('project', 'members', project.id))).stdout).toMatch(new RegExp(`${user.id}\\s+Mia\\s+viewer\\s+operator\\s+viewer`));

    const refused = await mia('task', 'create', project.id, '--title', 'not yet');
    expect({ code: refused.code, stderr: refused.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/operator role in project/) });
    await ok(baton('project', 'set-member-role', project.id, '--user', user.id, '--role', 'operator'));
    expect((await mia('task', 'create', project.id, '--title', 'now')).code).toBe(0);
    // A project operator is not an admin: it manages no members.
    expect((await mia('project', 'add-member', project.id, '--user', 'admin', '--role', 'viewer')).code).toBe(1);

    expect((await ok(baton('project', 'remove-member', project.id, '--user', user.id))).stdout).toBe(`user ${user.id} is no longer a member of project ${project.id}\n`);
    expect((await ok(mia('project', 'list'))).stdout).not.toContain(project.id);
    const gone = await mia('project', 'show', project.id);
    expect({ code: gone.code, stderr: gone.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/does not exist, or you are not one of its members/) });
  });

  it('refuses bad input with a message and exit code 2, sending nothing', async () => {
    const baton = as(admin);
    const broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    const commands = async () => (await broker.jsm.streams.info(broker.names.streams.commands)).state.last_seq;
    const before = await commands();
    for (const [args, message] of [
      [['project', 'add-member', 'P1', '--user', 'u1', '--role', 'admin'], /--role.*admin.*(viewer|operator)/s],
      [['project', 'add-member', 'P1', '--role', 'viewer'], /--user/],
      [['project', 'add-member', 'P1', '--user', 'u1'], /--role/],
      [['project', 'add-member', 'a b', '--user', 'u1', '--role', 'viewer'], /id/],
      [['project', 'set-member-role', 'P1', '--user', 'u.1', '--role', 'viewer'], /id/],
      [['project', 'remove-member', 'P1'], /--user/],
      [['project', 'members'], /id/],
    ] as const) {
      const r = await baton(...args);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 2, stderr: expect.stringMatching(message) });
    }
    expect(await commands()).toBe(before);
    await broker.close();
    const unknownUser = await baton('project', 'add-member', '01NOPROJECT00000000000000', '--user', 'nobody', '--role', 'viewer');
    expect({ code: unknownUser.code, stderr: unknownUser.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/nobody/) });
  });
});
