import type { Server } from 'socket.io';
import { EventStore, QueryClient, QueryError, type Broker, type Logger } from '@baton/event-store';
import { registry, type AggregateRef, type RecordedEvent } from '@baton/events';
import type { ClientToServerEvents, LiveEventMessage, LiveRoom, ResyncMessage, ServerToClientEvents } from '@baton/contracts';
import type { Caller } from '../auth/principal';
import type { Memberships } from '../membership/memberships';
import { AggregateDirectory } from './aggregate-directory';
import { EventFanout, type LiveOutlet, type LogSource } from './event-fanout';
import { makeRouter } from './event-routing';
import { LiveAccess } from './live-access';
import type { RunnerDirectory } from '../review/runner-directory';
import type { LiveConfig } from './live.config';
import { ScreenSource } from './terminal/screen-source';
import { TerminalHub } from './terminal/terminal-hub';

export interface SocketData {
  caller: Caller;
  token: string;
  /** When the token was last checked against the Authenticator (ms). */
  checkedAt: number;
  /** When the socket connected (an ISO instant): a session token's expiry is judged then (decision 0024). */
  connectedAt: string;
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;

/** The size the sessions service starts every PTY with; a screen rebuilt from the log uses it. */
export const DEFAULT_TERMINAL_SIZE = { cols: 120, rows: 36 };

/** The socket.io server as the fan-out sees it; bound once Nest created the server. */
class SocketOutlet implements LiveOutlet {
  server: LiveServer | null = null;

  broadcast(rooms: LiveRoom[], except: ReadonlySet<string>, msg: LiveEventMessage): void {
    if (!this.server) return;
    const op = this.server.to(rooms);
    (except.size > 0 ? op.except([...except]) : op).emit('event', msg);
  }
  send(socketId: string, msg: LiveEventMessage): void {
    this.server?.sockets.sockets.get(socketId)?.emit('event', msg);
  }
  resync(socketId: string, msg: ResyncMessage): void {
    this.server?.sockets.sockets.get(socketId)?.emit('resync', msg);
  }
  join(socketId: string, rooms: LiveRoom[]): void {
    if (rooms.length) void this.server?.sockets.sockets.get(socketId)?.join(rooms);
  }
  roomsOf(socketId: string): LiveRoom[] {
    const socket = this.server?.sockets.sockets.get(socketId);
    return socket ? ([...socket.rooms].filter((r) => r !== socketId) as LiveRoom[]) : [];
  }
  projectRooms(): LiveRoom[] {
    const rooms = this.server?.sockets.adapter.rooms;
    return rooms ? ([...rooms.keys()].filter((r) => r.startsWith('project:')) as LiveRoom[]) : [];
  }
}

/** Everything the live layer runs on, built once per gateway process. */
export class LiveRuntime {
  readonly store: EventStore;
  readonly directory: AggregateDirectory;
  readonly access: LiveAccess;
  readonly fanout: EventFanout;
  readonly terminals: TerminalHub;
  private readonly outlet = new SocketOutlet();

  constructor(
    readonly broker: Broker,
    queries: QueryClient,
    readonly config: LiveConfig,
    runners: RunnerDirectory,
    readonly logger: Logger,
    readonly memberships: Memberships,
  ) {
    this.store = new EventStore(broker, registry);
    this.directory = new AggregateDirectory({
      firstEvent: (aggregate) => firstEvent(this.store, aggregate),
      projectOfTask: async (taskId) => {
        try {
          return (await queries.ask<{ projectId: string }>('tasks', 'get_task', { id: taskId }, { timeoutMs: 5_000 })).projectId;
        } catch (e) {
          if (e instanceof QueryError && e.code === 'not_found') return null;
          throw e;
        }
      },
      runnerOfSession: async (sessionId) => (await queries.ask<{ runnerId: string | null }>('sessions', 'get_session', { id: sessionId }, { timeoutMs: 3_000 })).runnerId,
      runnersOfSession: async (sessionId) => (await queries.ask<{ runnerIds?: string[] }>('sessions', 'get_session', { id: sessionId }, { timeoutMs: 3_000 })).runnerIds ?? [],
    });
    this.access = new LiveAccess(this.directory, memberships);
    this.fanout = new EventFanout({
      source: logSource(this.store, broker.names.evtAll, logger),
      outlet: this.outlet,
      route: makeRouter(this.directory),
      learn: (e) => {
        this.directory.learn(e);
        // Membership changes reach every gateway through its follower (docs/decisions/0023).
        memberships.observe(e);
      },
      resumeMax: config.BATON_LIVE_RESUME_MAX,
      logger,
    });
    this.terminals = new TerminalHub({
      broker,
      logger,
      window: config.BATON_LIVE_WINDOW_BYTES,
      runnerOf: (sessionId) => this.directory.runnerOfSession(sessionId),
      source: new ScreenSource({
        broker,
        logger,
        secret: runners.secret ?? undefined,
        fetchTimeoutMs: Math.min(runners.timeoutMs, 3_000),
        defaultSize: DEFAULT_TERMINAL_SIZE,
        hosted: (sessionId, runnerId) => this.directory.hosted(sessionId, runnerId),
        runnerUrl: async (sessionId) => {
          const runnerId = await this.directory.runnerOfSession(sessionId);
          return runnerId ? runners.urlOf(runnerId) : null;
        },
      }),
    });
  }

  bind(server: LiveServer): void {
    this.outlet.server = server;
  }

  async start(): Promise<void> {
    await this.fanout.start();
  }

  stop(): void {
    this.fanout.stop();
    this.terminals.stop();
  }
}

function logSource(store: EventStore, allEvents: string, logger: Logger): LogSource {
  return {
    lastSeq: () => store.lastSeq(),
    follow: (fromSeq, onEvent, onError) => store.follow(fromSeq, onEvent, onError),
    async *read({ fromSeq, toSeq }) {
      if (toSeq < fromSeq) return;
      for await (const m of store.rawRead({ fromSeq, toSeq, subject: allEvents })) {
        let e: RecordedEvent;
        try {
          e = store.decode(m);
        } catch (err) {
          logger.warn({ err, seq: m.seq }, 'live: an event could not be decoded; skipped in a resume');
          continue;
        }
        yield e;
      }
    },
  };
}

async function firstEvent(store: EventStore, aggregate: AggregateRef): Promise<RecordedEvent | null> {
  const last = await store.lastSeqOf(aggregate);
  if (last === 0) return null;
  for await (const e of store.read({ subject: store.subjectOf(aggregate), fromSeq: 1, toSeq: last })) return e;
  return null;
}
