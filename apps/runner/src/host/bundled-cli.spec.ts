import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installBundledCli, withPathFirst } from './bundled-cli';

describe(installBundledCli.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a `baton` launcher that runs the shipped CLI with this node, arguments intact', async () => {
    const fake = join(dir, "fake cli's main.js");
    writeFileSync(fake, 'console.log(JSON.stringify(process.argv.slice(2)))');
    const bin = await installBundledCli(join(dir, 'data'), fake);
    const out = execFileSync('baton', ['report', '$(touch /tmp/never)', 'a b'], { env: withPathFirst({ PATH: process.env.PATH ?? '' }, bin) }).toString();
    expect(JSON.parse(out)).toEqual(['report', '$(touch /tmp/never)', 'a b']);
  });

  it('puts the directory first on PATH exactly once', () => {
    expect(withPathFirst({ PATH: '/x:/usr/bin:/x' }, '/x').PATH).toBe('/x:/usr/bin');
  });
});
