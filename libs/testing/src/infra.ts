import { request } from 'node:http';
import { existsSync } from 'node:fs';

export interface Infra {
  natsUrl: string;
  /** Server-level URL (the `postgres` database); the harness creates one database per test file. */
  databaseUrl: string;
  source: 'env' | 'testcontainers' | 'local';
}

export const LOCAL_NATS_URL = 'nats://127.0.0.1:4222';
export const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** True when a Docker engine (not just the client) answers its ping. */
export async function dockerEngineAnswers(timeoutMs = 1_500): Promise<boolean> {
  const host = process.env.DOCKER_HOST;
  const socketPath = host?.startsWith('unix://') ? host.slice('unix://'.length) : host ? undefined : '/var/run/docker.sock';
  if (socketPath && !existsSync(socketPath)) return false;
  const target = socketPath ? { socketPath } : (() => {
    const u = new URL(host!.replace(/^tcp:/, 'http:'));
    return { host: u.hostname, port: Number(u.port) || 2375 };
  })();
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/**
 * The order the brief asks for: NATS_URL/DATABASE_URL if set; else testcontainers
 * when a Docker engine answers; else the local services on 127.0.0.1.
 */
export async function resolveInfra(): Promise<Infra & { stop?: () => Promise<void> }> {
  if (process.env.NATS_URL || process.env.DATABASE_URL) {
    return {
      natsUrl: process.env.NATS_URL ?? LOCAL_NATS_URL,
      databaseUrl: process.env.DATABASE_URL ?? LOCAL_DATABASE_URL,
      source: 'env',
    };
  }
  if (await dockerEngineAnswers()) {
    // Loaded only here: CI machines without Docker never need the package to work.
    const tc = (await import('testcontainers')) as typeof import('testcontainers');
    const nats = await new tc.GenericContainer('nats:2.10-alpine').withCommand(['-js']).withExposedPorts(4222).start();
    const pg = await new tc.GenericContainer('postgres:16-alpine')
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withExposedPorts(5432)
      .withWaitStrategy(tc.Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    return {
      natsUrl: `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`,
      databaseUrl: `postgres://postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/postgres`,
      source: 'testcontainers',
      stop: async () => {
        await Promise.allSettled([nats.stop(), pg.stop()]);
      },
    };
  }
  return { natsUrl: LOCAL_NATS_URL, databaseUrl: LOCAL_DATABASE_URL, source: 'local' };
}
