import { IdSchema } from '@baton/events';
import { newId, normalKey, routeScopedKey, subKey } from './ids';

describe(newId.name, () => {
  const alice = { kind: 'user' as const, id: 'alice' };

  it('makes a fresh ULID without an Idempotency-Key', () => {
    const [a, b] = [newId({ actor: alice }, 'task'), newId({ actor: alice }, 'task')];
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a).not.toBe(b);
  });

  it('derives the same id from the same actor, key and purpose, and a different one otherwise', () => {
    const sut = newId({ actor: alice, key: 'k1' }, 'task');
    expect(IdSchema.parse(sut)).toBe(sut);
    expect(newId({ actor: alice, key: 'k1' }, 'task')).toBe(sut);
    expect(newId({ actor: alice, key: 'k2' }, 'task')).not.toBe(sut);
    expect(newId({ actor: alice, key: 'k1' }, 'attempt')).not.toBe(sut);
    expect(newId({ actor: { kind: 'user', id: 'bob' }, key: 'k1' }, 'task')).not.toBe(sut);
  });
});

describe(subKey.name, () => {
  it('keeps command ids within 200 characters however long the key', () => {
    const long = 'x'.repeat(200);
    expect(normalKey(long).length).toBeLessThanOrEqual(66);
    expect(subKey({ actor: { kind: 'user', id: 'u' }, key: long }, 'import-999')!.length).toBeLessThan(100);
    expect(subKey({ actor: { kind: 'user', id: 'u' } }, 'x')).toBeUndefined();
  });
});

describe(routeScopedKey.name, () => {
  const alice = { kind: 'user' as const, id: 'alice' };

  it('gives the same key on two routes two different scopes, and so two different new ids', () => {
    const [project, task] = [routeScopedKey('createProject', 'k1'), routeScopedKey('createTask', 'k1')];
    expect(project).not.toBe(task);
    expect(routeScopedKey('createTask', 'k1')).toBe(task);
    expect(newId({ actor: alice, key: project }, 'x')).not.toBe(newId({ actor: alice, key: task }, 'x'));
  });
});
