import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunnerStart } from '@baton/events';
import { commit, makeRepo, removeTemps, tempDir } from '../worktree/__tests__/git-fixtures';
import { Worktrees } from '../worktree';
import { agentUserFor, chownPaths, handOver } from './agent-user';
import { SharedDirs, type WrittenPath } from './shared-dirs';
import { Workspaces } from './workspaces';

/** Entries under `dir` the agents' user does not own. */
const notAgents = (dir: string, uid: number) => execFileSync('find', [dir, '(', '!', '-uid', String(uid), '-o', '!', '-gid', String(uid), ')', '-print'], { encoding: 'utf8' }).split('\n').filter(Boolean);

const startFor = (repository: string, workspace: RunnerStart['workspace'], copyFiles: string[] = []) =>
  ({ sessionId: 's1', projectId: 'p1', repository: { location: repository, defaultBranch: 'main' }, workspace, copyFiles }) as unknown as RunnerStart;

// The hand-over as a root runner does it: real git writing as root, real chown to the agents' user.
const asRoot = process.getuid?.() === 0;
(asRoot ? describe : describe.skip)('shared workspaces handed over once per change (root runner)', () => {
  const user = agentUserFor(0)!;
  let dataDir: string;
  let chowned: WrittenPath[][];
  let shared: SharedDirs;
  let workspaces: Workspaces;
  beforeEach(() => {
    dataDir = tempDir('baton-shared-');
    chmodSync(dataDir, 0o711);
    chowned = [];
    shared = new SharedDirs((paths) => {
      chowned.push([...paths]);
      return chownPaths(user, paths);
    });
    workspaces = new Workspaces(dataDir, new Worktrees({ dataDir }));
    workspaces.onWrite((root, paths) => shared.written(root, paths));
  });
  afterAll(removeTemps);

  it("leaves nothing root-owned in the mirror after a fetch and another attempt's worktree add, handing over only what changed", async () => {
    const origin = makeRepo();
    const a1 = await workspaces.prepare(startFor(origin, { kind: 'attempt', attemptId: 'a1', taskId: 't1', branch: 'baton/a1', baseBranch: 'main' }));
    const [mirror] = a1.shared ?? [];
    await Promise.all(Array.from({ length: 20 }, () => shared.handOver(mirror)));
    expect(chowned).toEqual([[{ path: mirror, deep: true }]]);
    expect(notAgents(mirror, user.uid)).toEqual([]);

    // New work upstream: the next attempt's start fetches it (as root) and adds its worktree.
    commit(origin, { 'src/new.ts': 'export {};\n' }, 'upstream work');
    await workspaces.prepare(startFor(origin, { kind: 'attempt', attemptId: 'a2', taskId: 't2', branch: 'baton/a2', baseBranch: 'main' }));
    await shared.handOver(mirror);
    expect(notAgents(mirror, user.uid)).toEqual([]);
    expect(shared.pending).toBe(0);

    // An attempt whose worktree is added again (its branch outlived its directory): the add says precisely what it wrote.
    execFileSync('rm', ['-rf', join(dataDir, 'worktrees', 'a1')]);
    const writes: (readonly WrittenPath[] | undefined)[] = [];
    workspaces.onWrite((_root, paths) => writes.push(paths));
    await workspaces.prepare(startFor(origin, { kind: 'attempt', attemptId: 'a1', taskId: 't1', branch: 'baton/a1', baseBranch: 'main' }));
    expect(writes[0]).toBeUndefined(); // the fetch: anywhere in the mirror
    expect(writes[1]).toEqual(expect.arrayContaining([{ path: join(mirror, 'worktrees', 'a1'), deep: true }, { path: join(mirror, 'worktrees'), deep: false }, { path: join(mirror, 'refs', 'heads'), deep: true }]));
    await shared.handOver(mirror);
    expect(notAgents(mirror, user.uid)).toEqual([]);
    expect(shared.pending).toBe(0);
  });

  it("hands the project's checkout over once, then only what a copy or a sync wrote", async () => {
    const origin = makeRepo({ 'README.md': '# p\n', '.gitignore': 'config/\n' });
    const project = await workspaces.prepare(startFor(origin, { kind: 'project' }));
    const [checkout] = project.shared ?? [];
    await Promise.all(Array.from({ length: 20 }, () => shared.handOver(checkout)));
    expect(chowned).toHaveLength(1);
    expect(notAgents(checkout, user.uid)).toEqual([]);

    execFileSync('mkdir', ['-p', join(origin, 'config')]);
    execFileSync('sh', ['-c', `echo SECRET=1 > ${join(origin, 'config', '.env')}`]);
    chowned = [];
    await workspaces.copyFiles(project, startFor(origin, { kind: 'project' }, ['config/.env']));
    await shared.handOver(checkout);
    expect(chowned.flat()).toEqual(expect.arrayContaining([{ path: join(checkout, 'config', '.env'), deep: true }, { path: join(checkout, 'config'), deep: false }]));
    expect(chowned.flat().map((p) => p.path)).not.toContain(checkout);
    expect(notAgents(checkout, user.uid)).toEqual([]);
  });

  it("hands each start's own dirs over, 40 starts at once, and fails only the start whose dir cannot be handed over", async () => {
    const dirs = Array.from({ length: 40 }, (_, i) => {
      const dir = join(dataDir, 'sessions', `s${i}`);
      mkdirSync(join(dir, 'home'), { recursive: true });
      writeFileSync(join(dir, 'prompt.md'), 'hi');
      return dir;
    });
    const results = await Promise.allSettled([...dirs.map((d) => handOver(user, [d], [])), handOver(user, [join(dataDir, 'sessions', 'gone')], [])]);
    expect(results.slice(0, 40).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[40].status).toBe('rejected');
    for (const d of dirs) expect(notAgents(d, user.uid)).toEqual([]);
  });
});
