import { DEFAULT_SECRET_ENV_NAME, SECRET_ENV_MARKER, isSecretEnvName, keepSecretEnv, maskSecretValues, redactEnv, redactSecretEnv, secretEnvNames, secretEnvValues } from './secret-env';
import { SessionTemplateSpecSchema } from './session-template.values';
import { templateSpec } from './__tests__/template-spec';

const M = SECRET_ENV_MARKER;
const base = templateSpec({ argv: ['run'], registrationTimeoutMs: 60_000 });

describe(isSecretEnvName.name, () => {
  it('treats names that look like credentials as secret without a mark', () => {
    for (const name of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GH_TOKEN', 'CLIENT_SECRET', 'DB_PASSWORD', 'PASSWORD', 'password_file', 'api_key', 'TOKEN', 'AWS_SECRET_ACCESS_KEY']) {
      expect({ name, secret: isSecretEnvName(name) }).toEqual({ name, secret: true });
    }
  });

  it('leaves other names in clear unless they are marked', () => {
    for (const name of ['MODE', 'MONKEY', 'KEYBOARD', 'TOKENIZER', 'NODE_ENV', 'SECRETARY_NAME']) expect({ name, secret: isSecretEnvName(name) }).toEqual({ name, secret: false });
    expect(isSecretEnvName('LICENSE', ['LICENSE'])).toBe(true);
    expect(DEFAULT_SECRET_ENV_NAME.flags).toContain('i');
  });
});

describe(redactEnv.name, () => {
  it('shows the marker for a marked or credential-looking value, the rest as it is', () => {
    const env = { OPENAI_API_KEY: 'sk-live-123', LICENSE: 'abc-licence', MODE: 'fast' };
    expect(redactEnv(env, ['LICENSE'])).toEqual({ OPENAI_API_KEY: M, LICENSE: M, MODE: 'fast' });
    expect(secretEnvNames(env, ['LICENSE'])).toEqual(['LICENSE', 'OPENAI_API_KEY']);
  });

  it('redacts a template spec without touching anything else', () => {
    const spec = SessionTemplateSpecSchema.parse({
      ...base,
      env: { GH_TOKEN: 'ghp_x', LICENSE: 'L-1', MODE: 'fast' },
      secretEnv: ['LICENSE'],
    });
    const sut = redactSecretEnv(spec);
    expect(sut).toEqual({ ...spec, env: { GH_TOKEN: M, LICENSE: M, MODE: 'fast' } });
    expect(JSON.stringify(sut)).not.toMatch(/ghp_x|L-1/);
    expect(spec.env.GH_TOKEN).toBe('ghp_x');
  });
});

describe(keepSecretEnv.name, () => {
  const stored = { env: { OPENAI_API_KEY: 'sk-live-123', LICENSE: 'L-1', MODE: 'fast' }, secretEnv: ['LICENSE'] };

  it('reads the marker sent back as the stored value', () => {
    expect(keepSecretEnv({ env: { OPENAI_API_KEY: M, LICENSE: M, MODE: 'slow' }, secretEnv: ['LICENSE'] }, stored)).toEqual({
      ok: true,
      env: { OPENAI_API_KEY: 'sk-live-123', LICENSE: 'L-1', MODE: 'slow' },
      secretEnv: ['LICENSE'],
    });
  });

  it('keeps a marked name sent without a value; a new value replaces the stored one', () => {
    expect(keepSecretEnv({ env: { OPENAI_API_KEY: 'sk-new' }, secretEnv: ['LICENSE', 'LICENSE'] }, stored)).toEqual({
      ok: true,
      env: { OPENAI_API_KEY: 'sk-new', LICENSE: 'L-1' },
      secretEnv: ['LICENSE'],
    });
  });

  it('refuses the marker or a marked name when no value is stored', () => {
    expect(keepSecretEnv({ env: { OPENAI_API_KEY: M }, secretEnv: ['OTHER'] }, null)).toEqual({
      ok: false,
      problems: [
        { name: 'OPENAI_API_KEY', message: expect.stringContaining('none is stored') },
        { name: 'OTHER', message: expect.stringContaining('has no value') },
      ],
    });
    expect(keepSecretEnv({ env: { NEW_KEY: M } }, stored)).toMatchObject({ ok: false });
  });

  it('leaves secretEnv absent when nothing is marked, so an unchanged spec stays unchanged', () => {
    expect(keepSecretEnv({ env: { MODE: 'fast' }, secretEnv: [] }, null)).toEqual({ ok: true, env: { MODE: 'fast' }, secretEnv: undefined });
  });
});


describe(maskSecretValues.name, () => {
  const spec = { env: { OPENAI_API_KEY: 'sk-live-123456', SHORT_TOKEN: 'abc', TITLE_SECRET: '{{task.title}}', LICENSE: 'licence-L1', MODE: 'fast-mode-on' }, secretEnv: ['LICENSE'] };

  it('cuts secret values long enough to be told from ordinary text, longest first', () => {
    expect(secretEnvValues(spec)).toEqual(['sk-live-123456', 'licence-L1']);
    expect(secretEnvValues({ env: { A_KEY: 'abcdefgh', B_KEY: 'abcdefgh-longer' } })).toEqual(['abcdefgh-longer', 'abcdefgh']);
  });

  it('replaces them in every string, however deep, and leaves the rest', () => {
    const sut = maskSecretValues({ message: 'key sk-live-123456, twice sk-live-123456', n: 3, match: { groups: { g: 'licence-L1' }, list: ['fast-mode-on'] } }, secretEnvValues(spec));
    expect(sut).toEqual({ message: `key ${M}, twice ${M}`, n: 3, match: { groups: { g: M }, list: ['fast-mode-on'] } });
    const same = { a: 'x' };
    expect(maskSecretValues(same, [])).toBe(same);
  });
});
