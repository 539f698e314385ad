import { Credentials } from './credentials';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k), data };
}

describe(Credentials.name, () => {
  it('moves a token left in the old storage into its own, and removes the old copy', () => {
    const session = memoryStorage();
    const local = memoryStorage({ 'baton.token': 'btn_old' });
    const sut = new Credentials(session, 'baton.token', local);
    expect(sut.current).toBe('btn_old');
    expect(session.data.get('baton.token')).toBe('btn_old');
    expect(local.data.has('baton.token')).toBe(false);
  });

  it('prefers the token of its own storage, still removing the old copy', () => {
    const session = memoryStorage({ 'baton.token': 'btn_new' });
    const local = memoryStorage({ 'baton.token': 'btn_old' });
    expect(new Credentials(session, 'baton.token', local).current).toBe('btn_new');
    expect(local.data.size).toBe(0);
  });

  describe('in the browser', () => {
    const globals = globalThis as unknown as Record<string, unknown>;
    const saved = { sessionStorage: globals.sessionStorage, localStorage: globals.localStorage };
    afterEach(() => Object.assign(globals, saved));

    it('keeps the signed-in token in sessionStorage, never in localStorage', () => {
      const session = memoryStorage();
      const local = memoryStorage({ 'baton.token': 'btn_from_an_older_version' });
      Object.assign(globals, { sessionStorage: session, localStorage: local });
      jest.isolateModules(() => {
        const { credentials } = jest.requireActual<typeof import('./credentials')>('./credentials');
        expect(credentials.current).toBe('btn_from_an_older_version');
        credentials.set('btn_signed_in');
      });
      expect(session.data.get('baton.token')).toBe('btn_signed_in');
      expect(local.data.size).toBe(0);
    });
  });
});
