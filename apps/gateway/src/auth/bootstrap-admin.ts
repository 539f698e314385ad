import { CreateUser, IssueUserToken } from '@baton/events';
import { CommandBus, QueryClient } from '@baton/event-store';
import type { Logger } from 'pino';
import { generateToken, hashToken } from './token';

const SYSTEM = { kind: 'system' as const, id: 'gateway-bootstrap' };

/**
 * First start: make sure an admin exists. With BATON_BOOTSTRAP_TOKEN the admin gets
 * that token (idempotent across restarts and replicas); otherwise a token is generated
 * and printed once, by the one replica whose create wins.
 */
export async function ensureBootstrapAdmin(bus: CommandBus, queries: QueryClient, logger: Logger, configured?: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      if (configured) {
        const hash = hashToken(configured);
        const tokenId = `env-${hash.slice(0, 16)}`;
        const created = await bus.send(CreateUser, { userId: 'admin', name: 'admin', role: 'admin', token: { tokenId, tokenHash: hash, label: 'BATON_BOOTSTRAP_TOKEN' } }, { actor: SYSTEM, id: `bootstrap-admin-${tokenId}` });
        if (created.status === 'rejected' && created.code === 'conflict') {
          await bus.send(IssueUserToken, { userId: 'admin', tokenId, tokenHash: hash, label: 'BATON_BOOTSTRAP_TOKEN' }, { actor: SYSTEM, id: `bootstrap-token-${tokenId}` });
        }
        return;
      }
      const { count } = await queries.ask<{ count: number }>('tasks', 'count_users', {});
      if (count > 0) return;
      const token = generateToken();
      const reply = await bus.send(CreateUser, { userId: 'admin', name: 'admin', role: 'admin', token: { tokenId: 'bootstrap', tokenHash: hashToken(token), label: 'bootstrap' } }, { actor: SYSTEM });
      if (reply.status === 'accepted') {
        // The one time this token is ever shown. Not through the logger: logs are shipped.
        process.stdout.write(`\nBaton bootstrap admin token (shown once, keep it safe):\n\n  ${token}\n\n`);
      }
      return;
    } catch (e) {
      if (attempt % 10 === 0) logger.warn({ err: (e as Error).message }, 'waiting for the tasks service to create the bootstrap admin');
      await new Promise((r) => setTimeout(r, Math.min(2_000, 200 * (attempt + 1))));
    }
  }
}
