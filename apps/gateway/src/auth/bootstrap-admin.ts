import { BootstrapAdmin, CreateUser } from '@baton/events';
import { CommandBus, QueryClient } from '@baton/event-store';
import type { Logger } from 'pino';
import { generateToken, hashToken } from './token';

const SYSTEM = { kind: 'system' as const, id: 'gateway-bootstrap' };

/**
 * Makes sure an admin exists. With BATON_BOOTSTRAP_TOKEN, every start asks the users' directory
 * to give that token to the bootstrap admin (created on a first start) and, when no admin can
 * sign in any more, to make the token's user admin again — one decision, idempotent, so every
 * replica may ask on every start (a fresh command id each time: an old answer must not stand
 * in for today's state). Without it a token is generated on a first start and printed once,
 * by the one replica whose create wins.
 */
export async function ensureBootstrapAdmin(bus: CommandBus, queries: QueryClient, logger: Logger, configured?: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      if (configured) {
        const hash = hashToken(configured);
        const tokenId = `env-${hash.slice(0, 16)}`;
        const reply = await bus.send(BootstrapAdmin, { userId: 'admin', name: 'admin', token: { tokenId, tokenHash: hash, label: 'BATON_BOOTSTRAP_TOKEN' } }, { actor: SYSTEM });
        // `internal`: the tasks service cannot decide it (yet: an older replica in a rolling upgrade); ask again.
        if (reply.status === 'rejected' && reply.code === 'internal') throw new Error(reply.message);
        if (reply.status === 'rejected') logger.warn({ code: reply.code, err: reply.message }, 'the bootstrap token was refused');
        else if (reply.events.some((e) => e.type === 'user.role_changed')) logger.warn({ tokenId }, 'no admin could sign in: the bootstrap token\'s user is admin again');
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
