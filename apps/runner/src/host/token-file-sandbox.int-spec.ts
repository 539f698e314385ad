import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@baton/testing';
import { detectSandbox, sandboxedArgv } from './sandbox';
import { tokenFileName, writeTokenFile } from './token-keeper';

/*
 * A real agent reads its session token from BATON_TOKEN_FILE inside the sandbox (real
 * bubblewrap), while the runner replaces that file outside it: the session dir is bound in
 * whole, so each replacement (a rename in that dir) is what the agent reads next.
 */
describe('the token file across the sandbox', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'baton-token-sandbox-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is read inside as the runner replaces it outside, whole each time', async () => {
    const found = await detectSandbox('auto');
    if (!found.bwrap) throw new Error(`${found.why} (apt-get install -y bubblewrap)`);
    const hidden = join(root, 'runner-data');
    const work = join(hidden, 'worktrees', 'a1');
    const sessionDir = join(hidden, 'sessions', 's1');
    mkdirSync(work, { recursive: true });
    mkdirSync(sessionDir, { recursive: true });
    const file = join(sessionDir, tokenFileName(3));
    await writeTokenFile(file, 'bat_s.first.sig');

    const script = `while [ ! -e ${sessionDir}/stop ]; do head -n 1 "$BATON_TOKEN_FILE"; sleep 0.05; done`;
    const [cmd, ...args] = sandboxedArgv(found.bwrap, ['sh', '-c', script], { hidden: [hidden], writable: [work, sessionDir], cwd: work });
    const child = spawn(cmd, args, { env: { PATH: process.env.PATH, BATON_TOKEN_FILE: file }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await eventually(() => out.includes('bat_s.first.sig'), 10_000, `the first token inside (${err})`);
      await writeTokenFile(file, 'bat_s.second.sig');
      await eventually(() => out.includes('bat_s.second.sig'), 10_000, `the renewed token inside (${err})`);
      writeFileSync(join(sessionDir, 'stop'), '');
      expect(await exited).toBe(0);
      expect(err).toBe('');
      // Whole tokens only, never a torn write.
      expect(new Set(out.trim().split('\n'))).toEqual(new Set(['bat_s.first.sig', 'bat_s.second.sig']));
    } finally {
      child.kill('SIGKILL');
    }
  });
});
