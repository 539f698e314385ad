import { Credentials } from '../../../api/credentials';
import { ApiError } from '../../../api/errors';
import type { MeView } from '../../../api/types';
import { hasRole, SESSION_ENDED, SessionStore } from './session';

const admin: MeView = { id: 'admin', name: 'admin', role: 'admin', tokenId: 't1' };

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k), data };
}

/** A gateway that knows one token. */
const gateway = (known: string, creds: Credentials) => async (token?: string) => {
  const sent = token ?? creds.current;
  if (sent === known) return admin;
  if (sent === 'down') throw new ApiError(0, 'network', 'no answer');
  throw new ApiError(401, 'unauthorized', 'unknown or revoked token');
};

function setup(stored?: string) {
  const storage = memoryStorage(stored ? { 'baton.token': stored } : {});
  const creds = new Credentials(storage);
  const sut = new SessionStore(creds, gateway('btn_good', creds));
  return { sut, creds, storage };
}

describe(SessionStore.name, () => {
  it('starts signed out without a stored token', async () => {
    const { sut } = setup();
    expect(sut.getSnapshot()).toEqual({ status: 'checking' });
    await sut.restore();
    expect(sut.getSnapshot()).toEqual({ status: 'signed_out', reason: null });
  });

  it('restores the user of a stored token', async () => {
    const { sut } = setup('btn_good');
    await sut.restore();
    expect(sut.getSnapshot()).toEqual({ status: 'signed_in', me: admin });
  });

  it('forgets a stored token the gateway no longer knows, and says why', async () => {
    const { sut, storage } = setup('btn_revoked');
    await sut.restore();
    expect(sut.getSnapshot()).toEqual({ status: 'signed_out', reason: SESSION_ENDED });
    expect(storage.data.size).toBe(0);
  });

  it('keeps a stored token when the gateway cannot be reached', async () => {
    const { sut, creds } = setup('down');
    await sut.restore();
    expect(sut.getSnapshot()).toMatchObject({ status: 'unreachable', message: expect.stringMatching(/Cannot reach/) });
    expect(creds.current).toBe('down');
  });

  it('signs in with a good token and stores it; refuses a bad one and stores nothing', async () => {
    const { sut, storage } = setup();
    const seen: string[] = [];
    sut.subscribe(() => seen.push(sut.getSnapshot().status));
    expect(await sut.signIn('   ')).toEqual({ ok: false, message: 'Paste your access token.' });
    expect(await sut.signIn('btn_bad')).toEqual({ ok: false, message: 'This token is unknown or has been revoked.' });
    expect(storage.data.size).toBe(0);
    expect(await sut.signIn('  btn_good\n')).toEqual({ ok: true });
    expect(storage.data.get('baton.token')).toBe('btn_good');
    expect(seen).toEqual(['signed_in']);
  });

  it('signs out when any call is refused with the current token, not with an old one', async () => {
    const { sut, creds } = setup('btn_good');
    await sut.restore();
    creds.rejected('btn_older');
    expect(sut.getSnapshot().status).toBe('signed_in');
    creds.rejected('btn_good');
    expect(sut.getSnapshot()).toEqual({ status: 'signed_out', reason: SESSION_ENDED });
    expect(creds.current).toBeNull();
  });

  it('signs out on request', async () => {
    const { sut, creds } = setup('btn_good');
    await sut.restore();
    sut.signOut();
    expect(sut.getSnapshot()).toEqual({ status: 'signed_out', reason: null });
    expect(creds.current).toBeNull();
  });
});

describe(hasRole.name, () => {
  it('ranks viewer < operator < admin', () => {
    expect(hasRole({ ...admin, role: 'viewer' }, 'operator')).toBe(false);
    expect(hasRole({ ...admin, role: 'operator' }, 'operator')).toBe(true);
    expect(hasRole(admin, 'operator')).toBe(true);
    expect(hasRole({ ...admin, role: 'operator' }, 'admin')).toBe(false);
  });
});

describe(Credentials.name, () => {
  it('survives a storage that throws', () => {
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    const sut = new Credentials(broken);
    expect(sut.current).toBeNull();
    sut.set('btn_x');
    expect(sut.current).toBe('btn_x');
    sut.clear();
    expect(sut.current).toBeNull();
  });

  it('signs in with the token single sign-on handed back, keeping it for the tab', async () => {
    const { sut, storage } = setup();
    await sut.restore({ token: 'btn_good' });
    expect(sut.getSnapshot()).toEqual({ status: 'signed_in', me: admin });
    expect(storage.data.get('baton.token')).toBe('btn_good');
  });

  it('shows why single sign-on failed on the sign-in page', async () => {
    const { sut } = setup();
    await sut.restore({ error: 'the provider said no' });
    expect(sut.getSnapshot()).toEqual({ status: 'signed_out', reason: 'Single sign-on failed: the provider said no' });
    await sut.restore({ token: 'btn_bad' });
    expect(sut.getSnapshot()).toEqual({ status: 'signed_out', reason: 'Single sign-on failed: This token is unknown or has been revoked.' });
  });

  it('revokes a token single sign-on made when signing out, never a pasted one', async () => {
    const revoked: string[] = [];
    const storage = memoryStorage();
    const creds = new Credentials(storage);
    const expiring = { ...admin, tokenId: 't-sso', expiresAt: '2030-01-01T00:00:00.000Z' };
    const whoAmI = async (token?: string) => ((token ?? creds.current) === 'btn_sso' ? expiring : admin);
    const sut = new SessionStore(creds, whoAmI, async (me, token) => void revoked.push(`${me.tokenId}:${token}`));
    await sut.restore({ token: 'btn_sso' });
    sut.signOut();
    expect(revoked).toEqual(['t-sso:btn_sso']);
    expect(sut.getSnapshot()).toEqual({ status: 'signed_out', reason: null });
    await sut.signIn('btn_pasted');
    sut.signOut();
    expect(revoked).toEqual(['t-sso:btn_sso']);
  });
});
