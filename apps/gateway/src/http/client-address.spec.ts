import type { IncomingMessage } from 'node:http';
import express from 'express';
import { ClientAddress, parseTrustProxy, type TrustProxy } from './client-address';

const request = (remote: string, forwardedFor?: string) => ({ socket: { remoteAddress: remote }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} }) as unknown as IncomingMessage;

/** The trust function Express compiles from BATON_TRUST_PROXY, as main.ts takes it. */
function trust(value: string): TrustProxy {
  const app = express();
  app.set('trust proxy', parseTrustProxy(value));
  return app.get('trust proxy fn') as TrustProxy;
}

describe(ClientAddress.name, () => {
  it('takes the peer by default: a client cannot pick its address with X-Forwarded-For', () => {
    const sut = new ClientAddress(trust('false'));
    expect(sut.of(request('203.0.113.7', '198.51.100.1'))).toBe('203.0.113.7');
  });

  it('behind a trusted proxy, takes the first hop that is not a trusted proxy', () => {
    const sut = new ClientAddress(trust('loopback, uniquelocal'));
    expect(sut.of(request('10.0.0.5', '198.51.100.1, 203.0.113.9, 10.0.0.4'))).toBe('203.0.113.9');
    expect(sut.of(request('203.0.113.7', '198.51.100.1'))).toBe('203.0.113.7');
  });

  it('counts hops when given a number', () => {
    const sut = new ClientAddress(trust('1'));
    expect(sut.of(request('10.0.0.5', '198.51.100.1, 203.0.113.9'))).toBe('203.0.113.9');
  });
});

describe(parseTrustProxy.name, () => {
  it.each([
    ['false', false],
    ['', false],
    ['true', true],
    ['2', 2],
    ['loopback, 10.0.0.0/8', 'loopback, 10.0.0.0/8'],
  ])('%j → %j', (value, expected) => expect(parseTrustProxy(value)).toEqual(expected));
});
