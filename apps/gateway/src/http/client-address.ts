import type { IncomingMessage } from 'node:http';

/** Express's compiled `trust proxy` setting: is the hop at `addr`, `i` hops from us, a proxy we trust? */
export type TrustProxy = (addr: string, i: number) => boolean;

/**
 * `BATON_TRUST_PROXY` as Express's `trust proxy` takes it: `false` (the default: the peer is the
 * client), `true`, a number of hops, or addresses/subnets/`loopback`/`linklocal`/`uniquelocal`.
 */
export function parseTrustProxy(value: string): boolean | number | string {
  const v = value.trim();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

/**
 * The client's address the way Express's `req.ip` finds it (proxy-addr): walk
 * `X-Forwarded-For` from the nearest hop back while each hop is a trusted proxy. The same
 * rule for a REST request and a socket.io handshake, so both count against the same client.
 */
export class ClientAddress {
  constructor(private trust: TrustProxy = () => false) {}

  use(trust: TrustProxy): void {
    this.trust = trust;
  }

  of(req: IncomingMessage): string {
    const chain = [req.socket?.remoteAddress ?? 'unknown'];
    const forwarded = req.headers['x-forwarded-for'];
    if (forwarded) {
      const hops = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded).split(',').map((h) => h.trim()).filter(Boolean);
      chain.push(...hops.reverse());
    }
    for (let i = 0; i < chain.length - 1; i++) if (!this.trust(chain[i], i)) return chain[i];
    return chain[chain.length - 1];
  }
}
