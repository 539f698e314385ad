import { mapFieldErrors, pathResolver, sentence } from './field-errors';

describe(mapFieldErrors.name, () => {
  const resolve = pathResolver({ name: 'name', 'repository.location': 'location', env: 'env' } as const);

  it('puts each message at the input that owns its path', () => {
    const sut = mapFieldErrors(
      [
        { path: 'name', message: 'must not be empty' },
        { path: 'repository.location', message: 'must be at most 2000 characters' },
      ],
      resolve,
    );
    expect(sut).toEqual({ byField: { name: 'Must not be empty', location: 'Must be at most 2000 characters' }, unmatched: [] });
  });

  it('names the key of a nested path under its input', () => {
    const sut = mapFieldErrors([{ path: 'env.BAD NAME', message: 'must be a valid environment variable name' }], resolve);
    expect(sut.byField.env).toBe('BAD NAME: must be a valid environment variable name');
  });

  it('keeps the first message of an input and hands back what no input owns', () => {
    const sut = mapFieldErrors(
      [
        { path: 'name', message: 'first' },
        { path: 'name', message: 'second' },
        { path: 'owner', message: 'unknown field' },
        { path: 'Idempotency-Key', message: 'must be printable' },
      ],
      resolve,
    );
    expect(sut.byField).toEqual({ name: 'First' });
    expect(sut.unmatched.map((f) => f.path)).toEqual(['owner', 'Idempotency-Key']);
  });

  it('does not mistake a path that merely starts with a field name for it', () => {
    expect(resolve('names')).toBeUndefined();
    expect(resolve('repository.token')).toBeUndefined();
  });
});

describe(sentence.name, () => {
  it('capitalises a message', () => {
    expect(sentence('must not be empty')).toBe('Must not be empty');
    expect(sentence('')).toBe('');
  });
});
