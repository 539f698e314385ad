import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';

/**
 * A loopback TCP server that accepts and never answers: an `https://` repository on it hangs
 * `git clone` in its TLS handshake (inside `git-remote-https`) for as long as git is let run.
 */
export async function startHangingServer(): Promise<{ url: (token?: string) => string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: (token = uniqueToken()) => `https://127.0.0.1:${port}/${token}.git`,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const uniqueToken = () => `hang-${randomBytes(8).toString('hex')}`;

/** Pids of live processes (not zombies) whose command line mentions `text`: git and the helpers it started. */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1];
      if (cmdline.includes(text) && state !== 'Z') pids.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}
