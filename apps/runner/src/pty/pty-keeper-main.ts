import { PtyKeeper } from './pty-keeper';

/*
 * `node pty-keeper-main.js <socket>`: the runner starts it detached (its own session), so it
 * outlives the runner; it exits by itself once it holds no session and no runner is connected.
 */
const socketPath = process.argv[2];
if (!socketPath) {
  process.stderr.write('usage: pty-keeper-main <socket path>\n');
  process.exit(2);
}
// Detached from any terminal; a hangup or Ctrl-C meant for the runner is not for it.
process.on('SIGHUP', () => undefined);
process.on('SIGINT', () => undefined);
const log = (msg: string) => process.stderr.write(`${new Date().toISOString()} pty-keeper ${process.pid}: ${msg}\n`);
const keeper = new PtyKeeper({ socketPath, log, idleExitMs: Number(process.env.BATON_KEEPER_IDLE_EXIT_MS) || undefined, orphanMs: Number(process.env.BATON_KEEPER_ORPHAN_MS) || undefined });
keeper.listen().then(
  (listening) => {
    if (!listening) {
      log(`another keeper answers on ${socketPath}`);
      process.exit(0);
    }
    log(`holding terminals on ${socketPath}`);
    void keeper.closed.then(() => process.exit(0));
  },
  (err: Error) => {
    log(`cannot listen on ${socketPath}: ${err.message}`);
    process.exit(1);
  },
);
