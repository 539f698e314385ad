import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, LiveErrorMessage, ServerToClientEvents } from '@baton/contracts';

export type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A socket.io client of the gateway, connected (or rejected) before it resolves. */
export async function connectLive(url: string, token?: string): Promise<LiveClient> {
  const socket: LiveClient = io(url, { path: '/socket.io', transports: ['websocket'], auth: token ? { token } : {}, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => {
      socket.close();
      reject(Object.assign(new Error(e.message), { data: (e as Error & { data?: LiveErrorMessage }).data }));
    });
  });
  return socket;
}

/** Everything one kind of server message brought, as it arrives. */
export function collect<E extends keyof ServerToClientEvents>(socket: LiveClient, event: E): Parameters<ServerToClientEvents[E]>[0][] {
  const got: Parameters<ServerToClientEvents[E]>[0][] = [];
  socket.on(event, ((m: Parameters<ServerToClientEvents[E]>[0]) => void got.push(m)) as never);
  return got;
}

/** The next message of a kind that matches. */
export function next<E extends keyof ServerToClientEvents>(
  socket: LiveClient,
  event: E,
  match: (m: Parameters<ServerToClientEvents[E]>[0]) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`no ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (m: Parameters<ServerToClientEvents[E]>[0]) => {
      if (!match(m)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(m);
    };
    socket.on(event, listener as never);
  });
}
