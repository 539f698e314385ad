import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newRunnerId, persistentRunnerId } from './runner-id';

describe(persistentRunnerId.name, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'runner-id-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes an id once and keeps it', () => {
    const file = join(dir, 'state', 'runner-id');
    const first = persistentRunnerId(file);
    expect(first).toMatch(/^[A-Za-z0-9_-]+-[0-9a-f]{6}$/);
    expect(persistentRunnerId(file)).toBe(first);
  });

  it('gives two installations on one host different ids', () => {
    expect(persistentRunnerId(join(dir, 'a', 'runner-id'))).not.toBe(persistentRunnerId(join(dir, 'b', 'runner-id')));
  });

  it('replaces a kept id that is not a valid one', () => {
    const file = join(dir, 'runner-id');
    writeFileSync(file, 'not valid!\n');
    expect(persistentRunnerId(file)).not.toBe('not valid!');
  });
});

describe(newRunnerId.name, () => {
  it('keeps a hostname readable and within 64 characters', () => {
    expect(newRunnerId('my.host.example', 'abcdef')).toBe('my-host-example-abcdef');
    expect(newRunnerId('h'.repeat(100), 'abcdef').length).toBeLessThanOrEqual(64);
  });
});
