type TokenStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/**
 * The bearer token every API call carries, kept in the tab's sessionStorage: a reload stays
 * signed in, but the token is not left behind once the tab is closed, nor shared with other
 * tabs (docs/decisions/0017). A 401 on a call made with it tells the listeners (the session),
 * which then signs out.
 */
export class Credentials {
  private token: string | null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly storage: TokenStorage | null,
    private readonly key = 'baton.token',
    /** Where earlier versions kept the token (localStorage): moved out of it on load, then removed. */
    legacy: TokenStorage | null = null,
  ) {
    this.token = read(storage, key);
    const old = read(legacy, key);
    if (old !== null) {
      try {
        legacy?.removeItem(key);
      } catch {
        // nothing more to do
      }
      if (this.token === null) this.set(old);
    }
  }

  get current(): string | null {
    return this.token;
  }

  set(token: string): void {
    this.token = token;
    try {
      this.storage?.setItem(this.key, token);
    } catch {
      // Storage refused (private mode, quota): the token lives until the tab closes.
    }
  }

  clear(): void {
    this.token = null;
    try {
      this.storage?.removeItem(this.key);
    } catch {
      // as above
    }
  }

  /** Called by the HTTP client when the gateway refused the token it sent. */
  rejected(token: string): void {
    if (token !== this.token) return; // an older token, already replaced
    for (const fn of this.listeners) fn();
  }

  onRejected(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

function read(storage: TokenStorage | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function browserStorage(kind: 'sessionStorage' | 'localStorage'): TokenStorage | null {
  try {
    return typeof globalThis[kind] === 'undefined' ? null : globalThis[kind];
  } catch {
    return null;
  }
}

export const credentials = new Credentials(browserStorage('sessionStorage'), 'baton.token', browserStorage('localStorage'));
