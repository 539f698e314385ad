import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../api-client';
import { manifestPath, parseManifest, readManifest } from './manifest';

/** The shape apps/sessions/src/launch/manifest.ts writes. */
const written = {
  version: 1,
  session: { id: 'S1', name: 'Demo', role: 'worker', strategy: 'simple', templateId: 'baton-demo-agent', templateName: 'Baton demo agent' },
  project: { id: 'P1', name: 'Shop' },
  attempt: { id: 'A1', branch: 'baton/login-a1', baseBranch: 'main' },
  parent: null,
  tasks: [{ id: 'T1', title: 'Add login', description: 'A form.', acceptanceCriteria: ['it logs in'] }],
  api: { url: 'http://gw', tokenEnv: 'BATON_TOKEN', sessionEnv: 'BATON_SESSION_ID' },
  reporting: [{ command: 'baton report progress 0.5 "what is done"', when: 'you make progress (0..1)' }],
};

const dir = () => mkdtempSync(join(tmpdir(), 'baton-manifest-'));

describe(parseManifest.name, () => {
  it('reads what the sessions service writes', () => {
    const sut = parseManifest(JSON.stringify(written));
    expect(sut.session).toMatchObject({ id: 'S1', role: 'worker', strategy: 'simple' });
    expect(sut.attempt).toEqual({ id: 'A1', branch: 'baton/login-a1', baseBranch: 'main' });
    expect(sut.tasks).toEqual(written.tasks);
  });

  it('fills in what a hand-written manifest leaves out', () => {
    const sut = parseManifest(JSON.stringify({ session: { id: 'S2' }, project: { id: 'P1' }, tasks: [{ id: 'T9' }] }));
    expect(sut.session).toMatchObject({ strategy: 'simple', role: 'worker', templateId: 'baton-demo-agent' });
    expect(sut.attempt).toBeNull();
    expect(sut.tasks[0]).toEqual({ id: 'T9', title: '', description: '', acceptanceCriteria: [] });
  });

  it('names what is wrong, as bad input (exit 2)', () => {
    const bad = () => parseManifest(JSON.stringify({ session: { strategy: 'sideways' }, project: {} }));
    expect(bad).toThrow(CliError);
    expect(bad).toThrow(/session\.id/);
    try {
      parseManifest('{nope');
    } catch (e) {
      expect(e).toMatchObject({ exitCode: 2, message: expect.stringMatching(/not JSON/) });
    }
  });
});

describe(manifestPath.name, () => {
  it('takes --manifest, then BATON_MANIFEST_JSON, then BATON_MANIFEST', () => {
    expect(manifestPath({ BATON_MANIFEST_JSON: '/a.json', BATON_MANIFEST: '/b.json' }, '/c.json')).toBe('/c.json');
    expect(manifestPath({ BATON_MANIFEST_JSON: '/a.json', BATON_MANIFEST: '/b.json' })).toBe('/a.json');
    expect(manifestPath({ BATON_MANIFEST: '/b.json' })).toBe('/b.json');
    expect(() => manifestPath({})).toThrow(/no manifest/);
  });

  it('swaps the Markdown manifest for the JSON one beside it', () => {
    const d = dir();
    writeFileSync(join(d, 'manifest.md'), '# Baton session');
    writeFileSync(join(d, 'manifest.json'), JSON.stringify(written));
    expect(manifestPath({ BATON_MANIFEST: join(d, 'manifest.md') })).toBe(join(d, 'manifest.json'));
    expect(readManifest({ BATON_MANIFEST: join(d, 'manifest.md') }).session.id).toBe('S1');
  });

  it('says which file it cannot read', () => {
    expect(() => readManifest({ BATON_MANIFEST: '/nonexistent/manifest.json' })).toThrow(/cannot read the manifest \/nonexistent\/manifest\.json: ENOENT/);
  });
});
