import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestNamespace, REPO_ROOT, spawnProcess, startService, type TestNamespace } from '@baton/testing';

const run = promisify(execFile);
const cli = join(REPO_ROOT, 'apps/cli/dist/main.js');

describe('the services of the foundation slice', () => {
  let ns: TestNamespace;
  const urls: Record<string, string> = {};

  beforeAll(async () => {
    ns = await createTestNamespace();
    for (const app of ['tasks', 'sessions', 'runner', 'gateway'] as const) urls[app] = (await startService(app, ns.env)).url;
  }, 90_000);
  afterAll(() => ns?.cleanup());

  it.each(['tasks', 'sessions', 'runner', 'gateway'])('%s answers liveness and readiness', async (app) => {
    expect((await fetch(`${urls[app]}/health/live`)).status).toBe(200);
    const ready = await fetch(`${urls[app]}/health/ready`);
    expect(ready.status).toBe(200);
    const { checks } = (await ready.json()) as { checks: Record<string, boolean> };
    expect(checks).toMatchObject(app === 'gateway' ? { nats: true } : { nats: true, postgres: true });
    expect(Object.values(checks).every(Boolean)).toBe(true);
  });

  it('stops at boot with the name of a malformed variable, exit code 2', async () => {
    const proc = await spawnProcess({
      name: 'bad-config',
      command: process.execPath,
      args: [join(REPO_ROOT, 'apps/tasks/dist/main.js')],
      env: { ...ns.env, PORT: 'not-a-port', BATON_NAMESPACE: 'Bad.Name' },
    });
    const exit = await proc.exited;
    expect(exit.code).toBe(2);
    expect(proc.output()).toMatch(/PORT/);
    expect(proc.output()).toMatch(/BATON_NAMESPACE/);
  });

  describe('the baton CLI against the running stack', () => {
    const baton = (args: string[]) =>
      run(process.execPath, [cli, ...args], { env: { ...process.env, BATON_API_URL: urls.gateway, BATON_TOKEN: ns.token } }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );

    it('creates a project and shows it', async () => {
      const created = await baton(['project', 'create', '--name', 'From CLI', '--repo', '/srv/cli', '--json']);
      expect(created.code).toBe(0);
      const { id } = JSON.parse(created.stdout) as { id: string };
      const shown = await baton(['project', 'show', id, '--json']);
      expect(shown.code).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({ id, name: 'From CLI', repository: { location: '/srv/cli' } });
    });

    it.each([
      ['a missing required option', ['project', 'create', '--name', 'x'], /--repo/],
      ['an invalid number', ['project', 'create', '--name', 'x', '--repo', '/r', '--concurrency', '-3'], /positive whole number/],
      ['a value the API refuses', ['project', 'create', '--name', ' ', '--repo', '/r'], /name/],
      ['a malformed id', ['project', 'show', 'a.b'], /id/],
    ])('exits 2 with a clear message on %s', async (_label, args, message) => {
      const r = await baton(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  });
});
