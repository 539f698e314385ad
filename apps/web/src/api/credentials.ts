type TokenStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/**
 * The bearer token every API call carries, kept in localStorage so a reload stays signed in.
 * A 401 on a call made with it tells the listeners (the session), which then signs out.
 */
export class Credentials {
  private token: string | null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly storage: TokenStorage | null,
    private readonly key = 'baton.token',
  ) {
    this.token = read(storage, key);
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

function browserStorage(): TokenStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export const credentials = new Credentials(browserStorage());
