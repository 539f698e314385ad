import { Inject, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import {
  ClientMessages,
  type ClientMessage,
  type ClientMessageName,
  type ClientToServerEvents,
  type LiveAck,
  type LiveErrorMessage,
  type LiveRoom,
  type ServerToClientEvents,
} from '@baton/contracts';
import { AgentAuthenticator } from '../auth/agent-authenticator';
import { EndedSessions } from '../auth/ended-sessions';
import { Authenticator } from '../auth/authenticator';
import { FailedAuthLimiter } from '../auth/failed-auth-limiter';
import { ClientAddress } from '../http/client-address';
import { STATIC_SECURITY_HEADERS } from '../http/security-headers';
import { hasRole, type Caller } from '../auth/principal';
import { LiveError } from './live-error';
import { LiveRuntime, type LiveServer, type SocketData } from './live-runtime';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;

const TOKEN = /^[\x21-\x7e]{10,16384}$/;
/** A socket's token is checked again after this long (the Authenticator caches for 10 s). */
const RECHECK_MS = 5_000;
const SWEEP_MS = 15_000;


class ConnectError extends Error {
  constructor(readonly data: LiveErrorMessage) {
    super(data.message);
  }
}

/**
 * The live socket: socket.io at `/socket.io`, the contract in libs/contracts/src/socket.ts.
 * The handshake needs a bearer token (`auth.token`, or an Authorization header) that REST
 * accepts: a user's, or an agent's session token; a revoked or expired one is dropped within
 * seconds. Every message is validated; a bad one gets an `error` event naming the field and
 * changes nothing. Who may do what is decided in LiveAccess. A socket may be in at most
 * BATON_LIVE_MAX_ROOMS rooms and have BATON_LIVE_MAX_REPLAYS replays running or waiting; a
 * handshake with a refused token counts against its address like a REST call does.
 */
@WebSocketGateway({ path: '/socket.io', serveClient: false, maxHttpBufferSize: 1_000_000 })
export class LiveGateway implements OnGatewayInit<LiveServer>, OnGatewayConnection<LiveSocket>, OnGatewayDisconnect<LiveSocket>, OnApplicationBootstrap, OnApplicationShutdown {
  private server: LiveServer | null = null;
  private sweep: NodeJS.Timeout | null = null;
  private unwatchEnded: (() => void) | null = null;
  private unwatchMembers: (() => void) | null = null;
  /** Room changes of one socket run one after another (a resume must not overlap another). */
  private readonly chains = new WeakMap<LiveSocket, Promise<unknown>>();
  /** Subscribes with `sinceSeq` of one socket that are running or waiting their turn. */
  private readonly replays = new WeakMap<LiveSocket, number>();

  constructor(
    @Inject(LiveRuntime) private readonly rt: LiveRuntime,
    @Inject(Authenticator) private readonly users: Authenticator,
    @Inject(AgentAuthenticator) private readonly agents: AgentAuthenticator,
    @Inject(EndedSessions) private readonly ended: EndedSessions,
    @Inject(FailedAuthLimiter) private readonly limiter: FailedAuthLimiter,
    @Inject(ClientAddress) private readonly clients: ClientAddress,
  ) {}

  afterInit(server: LiveServer): void {
    this.server = server;
    this.rt.bind(server);
    // socket.io answers its own HTTP requests (handshake, long-polling): the same headers as Express's.
    server.engine.on('headers', (headers: Record<string, string>) => Object.assign(headers, STATIC_SECURITY_HEADERS));
    server.use((socket, next) => {
      this.handshake(socket).then(
        () => next(),
        (e: unknown) => next(e instanceof ConnectError ? e : new ConnectError({ code: 'unavailable', message: 'could not check the token; try again' })),
      );
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.rt.start();
    this.sweep = setInterval(() => void this.sweepRevoked(), SWEEP_MS);
    this.sweep.unref();
    this.unwatchEnded = this.ended.onEnded((sessionId) => this.dropSession(sessionId));
    this.unwatchMembers = this.rt.memberships.onChange((userId) => this.recheckRoomsOf(userId));
  }

  onApplicationShutdown(): void {
    if (this.sweep) clearInterval(this.sweep);
    this.unwatchEnded?.();
    this.unwatchMembers?.();
    this.rt.stop();
  }

  /** A session ended: its agent's sockets go at once (not at the next sweep), with the reason. */
  private dropSession(sessionId: string): void {
    for (const socket of this.server?.sockets.sockets.values() ?? []) {
      const caller = socket.data?.caller;
      if (caller?.kind !== 'agent' || caller.sessionId !== sessionId) continue;
      socket.emit('error', new LiveError('unauthorized', `your token no longer works: session ${sessionId} has ended`).toMessage());
      socket.disconnect(true);
    }
  }

  /** A user's membership changed: its sockets leave the rooms (and terminals) it may no longer see. */
  private recheckRoomsOf(userId: string): void {
    for (const socket of this.server?.sockets.sockets.values() ?? []) {
      const caller = socket.data?.caller;
      if (caller?.kind === 'user' && caller.userId === userId) void this.serially(socket, () => this.recheckRooms(socket));
    }
  }

  /**
   * Leaves every room and detaches every terminal the socket's caller may no longer see (a
   * membership removed, an admin demoted), each with an `error` saying so; the socket stays.
   */
  private async recheckRooms(socket: LiveSocket): Promise<void> {
    const caller = socket.data?.caller;
    if (caller?.kind !== 'user') return;
    for (const room of [...socket.rooms]) {
      if (room === socket.id || !(room.startsWith('project:') || room.startsWith('session:'))) continue;
      try {
        await this.rt.access.checkRoom(caller, room as LiveRoom);
      } catch (e) {
        if (!(e instanceof LiveError)) continue; // a lookup failed: keep the room, the next check decides
        await socket.leave(room);
        socket.emit('error', { code: e.code, message: `left ${room}: ${e.message}`, on: 'subscribe' });
      }
    }
    for (const sessionId of this.rt.terminals.attachedTo(socket.id)) {
      try {
        await this.rt.access.checkSession(caller, sessionId, 'watch');
      } catch (e) {
        if (!(e instanceof LiveError)) continue;
        this.rt.terminals.detach(socket.id, sessionId);
        socket.emit('error', { code: e.code, message: `detached from session ${sessionId}: ${e.message}`, on: 'terminal:attach' });
      }
    }
  }

  handleConnection(socket: LiveSocket): void {
    socket.onAny((event: unknown) => {
      if (typeof event !== 'string' || !Object.hasOwn(ClientMessages, event)) {
        socket.emit('error', { code: 'validation', message: `unknown message "${String(event)}"; known: ${Object.keys(ClientMessages).join(', ')}` });
      }
    });
  }

  handleDisconnect(socket: LiveSocket): void {
    this.rt.terminals.detachAll(socket.id);
  }

  @SubscribeMessage('subscribe')
  subscribe(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown) {
    return this.handle(socket, 'subscribe', body, async (msg, caller) => {
      const rooms = [...new Set(msg.rooms)];
      const replay = msg.sinceSeq !== undefined;
      const pending = this.replays.get(socket) ?? 0;
      if (replay && pending >= this.rt.config.BATON_LIVE_MAX_REPLAYS) {
        throw new LiveError('limit_exceeded', `at most ${this.rt.config.BATON_LIVE_MAX_REPLAYS} subscribes with sinceSeq may run or wait per socket; wait for their acks (nothing was joined)`);
      }
      if (replay) this.replays.set(socket, pending + 1);
      try {
        for (const room of rooms) await this.rt.access.checkRoom(caller, room);
        const seq = await this.serially(socket, () => {
          this.checkRoomCap(socket, rooms);
          return this.rt.fanout.subscribe(socket.id, rooms, msg.sinceSeq);
        });
        return { rooms, seq };
      } finally {
        if (replay) this.replays.set(socket, (this.replays.get(socket) ?? 1) - 1);
      }
    });
  }

  /** Refuses the whole subscribe when it would take the socket past its room cap. */
  private checkRoomCap(socket: LiveSocket, rooms: string[]): void {
    const max = this.rt.config.BATON_LIVE_MAX_ROOMS;
    const inRooms = [...socket.rooms].filter((r) => r !== socket.id).length;
    const fresh = rooms.filter((r) => !socket.rooms.has(r)).length;
    if (inRooms + fresh > max) {
      throw new LiveError('limit_exceeded', `a socket may be in at most ${max} rooms: it is in ${inRooms} and asked for ${fresh} more; unsubscribe some first (nothing was joined)`);
    }
  }

  @SubscribeMessage('unsubscribe')
  unsubscribe(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown) {
    return this.handle(socket, 'unsubscribe', body, async (msg) => {
      await this.serially(socket, async () => {
        for (const room of msg.rooms) await socket.leave(room);
      });
      return { rooms: msg.rooms };
    });
  }

  @SubscribeMessage('terminal:attach')
  attach(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown) {
    return this.handle(socket, 'terminal:attach', body, async (msg, caller) => {
      const role = await this.rt.access.checkSession(caller, msg.sessionId, 'watch');
      const snapshot = await this.rt.terminals.attach(socket.id, msg.sessionId, {
        data: (m) => socket.emit('terminal:data', m),
        snapshot: (m) => socket.emit('terminal:snapshot', m),
        resync: (m) => socket.emit('resync', m),
      });
      // The PTY takes the size of whoever steers it last; watchers do not change it.
      if (this.rt.access.mayResize(caller, role) && (snapshot.cols !== msg.cols || snapshot.rows !== msg.rows)) {
        await this.rt.terminals.resize(msg.sessionId, msg.cols, msg.rows);
      }
      return { sessionId: msg.sessionId, chunk: snapshot.chunk };
    });
  }

  @SubscribeMessage('terminal:detach')
  detach(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown) {
    return this.handle(socket, 'terminal:detach', body, async (msg) => {
      if (!this.rt.terminals.detach(socket.id, msg.sessionId)) throw new LiveError('not_found', `not attached to session ${msg.sessionId}`);
      return {};
    });
  }

  @SubscribeMessage('terminal:input')
  input(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown) {
    return this.handle(socket, 'terminal:input', body, async (msg, caller) => {
      if (!this.rt.access.mayType(caller)) throw new LiveError('forbidden', `typing into a terminal needs the operator role; you are ${roleOf(caller)}`);
      await this.rt.access.checkSession(caller, msg.sessionId, 'type');
      if (!(await this.rt.terminals.input(msg.sessionId, msg.data))) throw new LiveError('unavailable', `session ${msg.sessionId} is not running on a runner: nothing to type into`);
      return {};
    });
  }

  @SubscribeMessage('terminal:resize')
  resize(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown) {
    return this.handle(socket, 'terminal:resize', body, async (msg, caller) => {
      if (caller.kind !== 'user' || !hasRole(caller, 'operator')) throw new LiveError('forbidden', `resizing a terminal needs the operator role; you are ${roleOf(caller)}`);
      await this.rt.access.checkSession(caller, msg.sessionId, 'type');
      await this.rt.terminals.resize(msg.sessionId, msg.cols, msg.rows);
      return {};
    });
  }

  @SubscribeMessage('terminal:ack')
  ack(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown) {
    return this.handle(socket, 'terminal:ack', body, async (msg) => {
      if (!this.rt.terminals.ack(socket.id, msg.sessionId, msg.bytes)) throw new LiveError('not_found', `not attached to session ${msg.sessionId}`);
      return {};
    });
  }

  /**
   * Validates, authorizes and runs one client message. Never throws: a failure is an
   * `error` event (and the ack, when the client asked for one); the connection stays.
   */
  private async handle<N extends ClientMessageName, R extends object>(
    socket: LiveSocket,
    name: N,
    body: unknown,
    run: (msg: ClientMessage<N>, caller: Caller) => Promise<R>,
  ): Promise<LiveAck<R>> {
    try {
      const caller = await this.callerOf(socket);
      const parsed = ClientMessages[name].safeParse(body);
      if (!parsed.success) throw LiveError.validation(parsed.error);
      return { ok: true, ...(await run(parsed.data as ClientMessage<N>, caller)) };
    } catch (e) {
      let error: LiveErrorMessage;
      if (e instanceof LiveError) error = { ...e.toMessage(), on: name };
      else {
        this.rt.logger.error({ err: e, on: name }, 'live: a socket message failed');
        error = { code: 'internal', message: 'internal error', on: name };
      }
      socket.emit('error', error);
      if (error.code === 'unauthorized') socket.disconnect(true);
      return { ok: false, error };
    }
  }

  private serially<T>(socket: LiveSocket, fn: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(socket) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    this.chains.set(socket, next);
    return next;
  }

  private async handshake(socket: LiveSocket): Promise<void> {
    const fromAuth = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const header = /^Bearer (.+)$/.exec(socket.handshake.headers.authorization ?? '')?.[1];
    const token = typeof fromAuth === 'string' ? fromAuth : header;
    if (!token) throw new ConnectError({ code: 'unauthorized', message: 'a bearer token is required: io(url, { auth: { token } })' });
    const client = this.clients.of(socket.request);
    const blocked = this.limiter.retryAfter(client);
    if (!TOKEN.test(token) || (token.length > 512 && !AgentAuthenticator.looksLikeAgentToken(token))) throw this.refused(client, token, blocked, 'malformed token');
    // As in the REST guard: while throttled, only a session token (checked by its signature) or a user token accepted moments ago is looked at.
    if (blocked && !AgentAuthenticator.looksLikeAgentToken(token) && !this.users.accepted(token)) throw this.refused(client, token, blocked, 'unknown or revoked token');
    const caller = await this.authenticate(token);
    if (typeof caller === 'string') {
      const guessed = caller === 'unknown or revoked token' || caller === 'invalid or expired session token';
      throw guessed ? this.refused(client, token, blocked, caller) : new ConnectError({ code: 'unauthorized', message: caller });
    }
    socket.data = { caller, token, checkedAt: Date.now(), connectedAt: new Date().toISOString() };
  }

  /** A refused token at the handshake: counted against the address, or `rate_limited` once it was refused too often. */
  private refused(client: string, token: string, blocked: number, why: string): ConnectError {
    if (!blocked) {
      this.limiter.failed(client, token);
      return new ConnectError({ code: 'unauthorized', message: why });
    }
    return new ConnectError({ code: 'rate_limited', message: `too many refused tokens from your address; try again in ${blocked} s`, retryAfterSeconds: blocked });
  }

  /** The same tokens as REST: a user's (`btn_…`) or an agent's session token (`bat_s.…`); a string says why not. */
  /**
   * `connectedAt`: a session token is judged at the handshake for its expiry, then only for its
   * session having ended — it lives short and the runner renews it (decision 0024), but a socket
   * cannot change its token: it lasts as long as the session, and is dropped the moment it ends.
   */
  private async authenticate(token: string, connectedAt?: string): Promise<Caller | string> {
    if (AgentAuthenticator.looksLikeAgentToken(token)) {
      const result = await this.agents.authenticate(token, {}, connectedAt);
      return 'error' in result ? result.error : result.principal;
    }
    return (await this.users.authenticate(token)) ?? 'unknown or revoked token';
  }

  /** The socket's caller, re-checked now and then so a revoked or expired token, or a changed role, takes effect. */
  private async callerOf(socket: LiveSocket, force = false): Promise<Caller> {
    const data = socket.data;
    if (!force && Date.now() - data.checkedAt < RECHECK_MS) return data.caller;
    const caller = await this.authenticate(data.token, data.connectedAt);
    if (typeof caller === 'string') throw new LiveError('unauthorized', `your token no longer works: ${caller}`);
    data.caller = caller;
    data.checkedAt = Date.now();
    return caller;
  }

  private async sweepRevoked(): Promise<void> {
    for (const socket of this.server?.sockets.sockets.values() ?? []) {
      try {
        await this.callerOf(socket, true);
        // A changed global role (an admin no more) or a membership this gateway missed.
        await this.serially(socket, () => this.recheckRooms(socket));
      } catch (e) {
        if (e instanceof LiveError && e.code === 'unauthorized') {
          socket.emit('error', e.toMessage());
          socket.disconnect(true);
        }
      }
    }
  }
}

const roleOf = (caller: Caller) => (caller.kind === 'agent' ? 'an agent' : caller.role);
