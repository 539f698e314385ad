import { createServer } from 'node:net';

export interface PortAllocatorOptions {
  /** Inclusive range. The default stays below Linux's ephemeral ports (32768+), which
   *  outgoing connections take at random. */
  from?: number;
  to?: number;
  /** Whether nothing listens on the port; probing by binding it is the default. */
  isFree?: (port: number) => Promise<boolean>;
}

export class NoFreePortError extends Error {
  readonly code = 'no_free_port';
  constructor(from: number, to: number) {
    super(`no free TCP port in ${from}-${to}`);
    this.name = 'NoFreePortError';
  }
}

/**
 * BATON_PORT for each session: a TCP port free on this machine and not handed to any other
 * session still holding one, so fifty dev servers started by fifty agents never collide.
 */
export class PortAllocator {
  private readonly from: number;
  private readonly to: number;
  private readonly isFree: (port: number) => Promise<boolean>;
  private readonly byOwner = new Map<string, number>();
  private readonly taken = new Set<number>();
  private cursor: number;

  constructor(opts: PortAllocatorOptions = {}) {
    this.from = opts.from ?? 20_000;
    this.to = opts.to ?? 29_999;
    if (!(this.from > 0 && this.to <= 65_535 && this.from <= this.to)) throw new Error(`invalid port range ${this.from}-${this.to}`);
    this.isFree = opts.isFree ?? portIsFree;
    // Start somewhere random: a restarted runner does not hand out the ports it just gave
    // to programs that may still be shutting down.
    this.cursor = this.from + Math.floor(Math.random() * (this.to - this.from + 1));
  }

  /** The owner's port; the same one again while it holds it. */
  async allocate(owner: string): Promise<number> {
    const held = this.byOwner.get(owner);
    if (held !== undefined) return held;
    const size = this.to - this.from + 1;
    for (let tried = 0; tried < size; tried++) {
      const port = this.cursor;
      this.cursor = port === this.to ? this.from : port + 1;
      if (this.taken.has(port)) continue;
      this.taken.add(port); // reserved while probing, so concurrent calls never get the same port
      if (await this.isFree(port)) {
        const raced = this.byOwner.get(owner);
        if (raced !== undefined) {
          this.taken.delete(port);
          return raced;
        }
        this.byOwner.set(owner, port);
        return port;
      }
      this.taken.delete(port);
    }
    throw new NoFreePortError(this.from, this.to);
  }

  /** A port a program holds already (a session taken back after a restart): not handed to anyone else. */
  hold(owner: string, port: number): void {
    this.byOwner.set(owner, port);
    this.taken.add(port);
  }

  release(owner: string): void {
    const port = this.byOwner.get(owner);
    if (port === undefined) return;
    this.byOwner.delete(owner);
    this.taken.delete(port);
  }

  portOf(owner: string): number | undefined {
    return this.byOwner.get(owner);
  }

  get allocations(): ReadonlyMap<string, number> {
    return this.byOwner;
  }
}

/** Free when it can be bound on every IPv4 address (and IPv6 where the machine has it). */
export async function portIsFree(port: number): Promise<boolean> {
  return (await canBind(port, '0.0.0.0')) && (await canBind(port, '::'));
}

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (e: NodeJS.ErrnoException) => {
      // No IPv6 on this machine: that family cannot collide.
      resolve(host === '::' && (e.code === 'EAFNOSUPPORT' || e.code === 'EADDRNOTAVAIL'));
    });
    server.listen({ port, host, exclusive: true, ipv6Only: host === '::' }, () => server.close(() => resolve(true)));
  });
}
