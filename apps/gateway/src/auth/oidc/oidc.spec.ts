import { cookieValue, SignInSealer, STATE_TTL_MS } from './oidc-state';
import { displayNameOf, groupsOf, oidcEnv, oidcSettings, OidcEnvSchema, parseRoleMap, roleFromGroups, userIdFor } from './oidc.config';

describe('single sign-on role mapping', () => {
  const map = parseRoleMap('baton-admins=admin, devs=operator,readers=viewer');

  it('reads group=role pairs and names a malformed one', () => {
    expect([...map]).toEqual([
      ['baton-admins', 'admin'],
      ['devs', 'operator'],
      ['readers', 'viewer'],
    ]);
    expect([...parseRoleMap('')]).toEqual([]);
    expect([...parseRoleMap('team=a=operator')]).toEqual([['team=a', 'operator']]);
    expect(() => parseRoleMap('devs=owner')).toThrow('"devs=owner" is not group=admin|operator|viewer');
    expect(() => parseRoleMap('=admin')).toThrow('"=admin"');
    expect(() => parseRoleMap('devs')).toThrow('"devs"');
  });

  it('gives the highest role any of the groups maps to, else the default, else nothing', () => {
    expect(roleFromGroups(['devs', 'baton-admins'], map, 'viewer')).toBe('admin');
    expect(roleFromGroups(['readers', 'devs'], map, 'viewer')).toBe('operator');
    expect(roleFromGroups(['marketing'], map, 'viewer')).toBe('viewer');
    expect(roleFromGroups([], map, 'operator')).toBe('operator');
    expect(roleFromGroups(['marketing'], map, null)).toBeNull();
    expect(roleFromGroups(['readers'], map, 'operator')).toBe('viewer');
  });

  it('reads the groups claim as a list or one string, ignoring what is not a string', () => {
    expect(groupsOf({ groups: ['a', 1, 'b'] }, 'groups')).toEqual(['a', 'b']);
    expect(groupsOf({ roles: 'a' }, 'roles')).toEqual(['a']);
    expect(groupsOf({}, 'groups')).toEqual([]);
  });

  it('names users by their identity, stably, and shows the name the provider gives', () => {
    expect(userIdFor('https://idp', 'alice')).toBe(userIdFor('https://idp', 'alice'));
    expect(userIdFor('https://idp', 'alice')).not.toBe(userIdFor('https://other', 'alice'));
    expect(userIdFor('https://idp', 'alice')).toMatch(/^oidc-[0-9a-f]{32}$/);
    expect(displayNameOf({ sub: 's', preferred_username: 'alice', name: ' Alice Liddell ' })).toBe('Alice Liddell');
    expect(displayNameOf({ sub: 's', email: 'a@x' })).toBe('a@x');
    expect(displayNameOf({ sub: 's' })).toBe('s');
  });
});

describe('single sign-on settings', () => {
  const env = (over: Record<string, string>) => OidcEnvSchema.parse(over);
  const full = { BATON_OIDC_ISSUER: 'https://idp.example/realms/x', BATON_OIDC_CLIENT_ID: 'baton', BATON_OIDC_CLIENT_SECRET: 's'.repeat(32) };

  it('is off without an issuer, and refuses half a configuration by name', () => {
    expect(oidcSettings(env({}))).toBeNull();
    expect(() => oidcSettings(env({ BATON_OIDC_CLIENT_ID: 'baton' }))).toThrow('BATON_OIDC_CLIENT_ID set without BATON_OIDC_ISSUER');
    expect(() => oidcSettings(env({ BATON_OIDC_ISSUER: full.BATON_OIDC_ISSUER }))).toThrow('BATON_OIDC_CLIENT_ID and BATON_OIDC_CLIENT_SECRET must be set too');
    expect(() => oidcSettings(env({ ...full, BATON_OIDC_ROLE_MAP: 'x=root' }))).toThrow('BATON_OIDC_ROLE_MAP: "x=root"');
  });

  it('takes its defaults: viewer, the groups claim, the openid scope always, the issuer host as the name', () => {
    const s = oidcSettings(env({ ...full, BATON_OIDC_SCOPES: 'profile groups' }))!;
    expect(s).toMatchObject({ defaultRole: 'viewer', groupsClaim: 'groups', scopes: 'openid profile groups', providerName: 'idp.example', tokenTtlMs: 8 * 3600_000 });
    expect(oidcSettings(env({ ...full, BATON_OIDC_DEFAULT_ROLE: 'none' }))!.defaultRole).toBeNull();
  });

  it('takes an empty variable as unset (compose passes them so), and only its own variables', () => {
    expect(oidcSettings(env(oidcEnv({ BATON_OIDC_ISSUER: '', BATON_OIDC_CLIENT_ID: '', BATON_OIDC_DEFAULT_ROLE: '', PATH: '/bin' }) as Record<string, string>))).toBeNull();
    expect(oidcEnv({ ...full, BATON_OIDC_ROLE_MAP: '', HOME: '/root' })).toEqual(full);
  });

  it('takes http only for a provider on a loopback address', () => {
    expect(OidcEnvSchema.safeParse({ BATON_OIDC_ISSUER: 'http://127.0.0.1:4000' }).success).toBe(true);
    expect(OidcEnvSchema.safeParse({ BATON_OIDC_ISSUER: 'http://idp.example' }).success).toBe(false);
  });
});

describe(SignInSealer.name, () => {
  let now = 1_000_000;
  const sut = new SignInSealer('a-client-secret-of-some-length', 'https://idp|baton', () => now);
  const pending = { state: 'st', nonce: 'no', verifier: 've', redirectUri: 'http://127.0.0.1:3100/api/auth/oidc/callback' };

  it('opens what it sealed, until it is stale', () => {
    const sealed = sut.seal(pending);
    expect(sut.open(sealed)).toEqual({ ...pending, until: now + STATE_TTL_MS });
    now += STATE_TTL_MS;
    expect(sut.open(sealed)).toEqual({ refused: 'expired' });
  });

  it('refuses a cookie it did not seal, or one changed on the way', () => {
    const sealed = sut.seal(pending);
    const other = new SignInSealer('another-client-secret-entirely', 'https://idp|baton', () => now);
    expect(other.open(sealed)).toEqual({ refused: 'forged' });
    const [payload, signature] = sealed.split('.');
    const changed = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), state: 'mine' })).toString('base64url');
    expect(sut.open(`${changed}.${signature}`)).toEqual({ refused: 'forged' });
    expect(sut.open(undefined)).toEqual({ refused: 'missing' });
    expect(sut.open('garbage')).toEqual({ refused: 'forged' });
  });

  it('finds its cookie among others', () => {
    expect(cookieValue('a=1; baton_oidc=x.y; b=2', 'baton_oidc')).toBe('x.y');
    expect(cookieValue(undefined, 'baton_oidc')).toBeUndefined();
  });
});
