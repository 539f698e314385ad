import { z } from 'zod';
import { IdSchema, type Actor, type AggregateRef, type DomainEvent } from '@baton/events';

/*
 * The live socket (socket.io at `/socket.io` on the gateway). Every client message has a
 * zod schema here; the gateway validates with these and answers a bad one with an `error`
 * event naming the field (the connection stays, nothing changes). Server messages are
 * typed below; `data` of an event is the DomainEvent's data with secrets taken out.
 *
 * Authentication: `io(url, { auth: { token: '<bearer token>' } })`, the same tokens as REST.
 */

// ---------------------------------------------------------------- rooms

export const LIVE_ROOM_KINDS = ['project', 'session', 'runner'] as const;
export type LiveRoomKind = (typeof LIVE_ROOM_KINDS)[number];
export type LiveRoom = `${LiveRoomKind}:${string}`;

export const LiveRoomSchema = z
  .string()
  .max(80)
  .regex(/^(project|session|runner):[A-Za-z0-9_-]{1,64}$/, 'must be "project:<id>", "session:<id>" or "runner:<id>"')
  .transform((r) => r as LiveRoom);

export const liveRoom = {
  project: (id: string): LiveRoom => `project:${id}`,
  session: (id: string): LiveRoom => `session:${id}`,
  runner: (id: string): LiveRoom => `runner:${id}`,
};

export function parseLiveRoom(room: LiveRoom): { kind: LiveRoomKind; id: string } {
  const at = room.indexOf(':');
  return { kind: room.slice(0, at) as LiveRoomKind, id: room.slice(at + 1) };
}

// ---------------------------------------------------------------- client → server

const Cols = z.number().int().min(2).max(1_000);
const Rows = z.number().int().min(1).max(500);
/** Largest keystroke message (a paste); bigger pastes are sent in pieces. */
export const MAX_TERMINAL_INPUT = 64 * 1024;

/**
 * Join rooms. With `sinceSeq` (the last event `seq` the client saw) the events of these rooms
 * after it come first, then live ones: no gap, no duplicate. Without it, live from now on.
 */
export const SubscribeMessage = z.strictObject({
  rooms: z.array(LiveRoomSchema).min(1, 'name at least one room').max(200, 'at most 200 rooms'),
  sinceSeq: z.number().int().min(0).optional(),
});
export const UnsubscribeMessage = z.strictObject({ rooms: z.array(LiveRoomSchema).min(1, 'name at least one room').max(200, 'at most 200 rooms') });
/** Watch a session's terminal: a `terminal:snapshot` of the screen, then `terminal:data`. */
export const TerminalAttachMessage = z.strictObject({ sessionId: IdSchema, cols: Cols, rows: Rows });
export const TerminalDetachMessage = z.strictObject({ sessionId: IdSchema });
/** Keystrokes (operators and admins; a viewer gets `forbidden`). */
export const TerminalInputMessage = z.strictObject({ sessionId: IdSchema, data: z.string().min(1, 'must not be empty').max(MAX_TERMINAL_INPUT, `at most ${MAX_TERMINAL_INPUT} characters`) });
/** Resizes the session's PTY (last one wins; operators and admins). */
export const TerminalResizeMessage = z.strictObject({ sessionId: IdSchema, cols: Cols, rows: Rows });
/** Flow control: how many bytes of `terminal:data` the client has written since its last ack. */
export const TerminalAckMessage = z.strictObject({ sessionId: IdSchema, bytes: z.number().int().min(0).max(2 ** 31) });

export const ClientMessages = {
  subscribe: SubscribeMessage,
  unsubscribe: UnsubscribeMessage,
  'terminal:attach': TerminalAttachMessage,
  'terminal:detach': TerminalDetachMessage,
  'terminal:input': TerminalInputMessage,
  'terminal:resize': TerminalResizeMessage,
  'terminal:ack': TerminalAckMessage,
} as const;
export type ClientMessageName = keyof typeof ClientMessages;
export type ClientMessage<N extends ClientMessageName> = z.output<(typeof ClientMessages)[N]>;
export type SubscribeMessage = ClientMessage<'subscribe'>;
export type UnsubscribeMessage = ClientMessage<'unsubscribe'>;
export type TerminalAttachMessage = ClientMessage<'terminal:attach'>;
export type TerminalDetachMessage = ClientMessage<'terminal:detach'>;
export type TerminalInputMessage = ClientMessage<'terminal:input'>;
export type TerminalResizeMessage = ClientMessage<'terminal:resize'>;
export type TerminalAckMessage = ClientMessage<'terminal:ack'>;

// ---------------------------------------------------------------- server → client

/** Field names that never leave the gateway; `env` records leave as `envKeys` (names only). */
export type SecretField = 'tokenHash';

/** `T` with secret fields dropped and every `env` record replaced by the list of its names. */
export type Redacted<T> = unknown extends T
  ? T
  : T extends string | number | boolean | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? Redacted<U>[]
      : { [K in keyof T as K extends SecretField ? never : K extends 'env' ? 'envKeys' : K]: K extends 'env' ? string[] : Redacted<T[K]> };

type LiveEventOf<E> = E extends { type: infer T; data: infer D }
  ? { id: string; type: T; version: number; aggregate: AggregateRef; occurredAt: string; actor: Actor; correlationId: string; causationId: string; data: Redacted<D> }
  : never;
/** A domain event as a socket sees it: the envelope with redacted `data`, discriminated by `type`. */
export type LiveEvent = LiveEventOf<DomainEvent>;

/** `seq` is the event's stream sequence: strictly increasing per socket; resume with it. */
export interface LiveEventMessage {
  seq: number;
  event: LiveEvent;
}

export interface TerminalSnapshotMessage {
  sessionId: string;
  cols: number;
  rows: number;
  /** Escape sequences that redraw the screen (and scrollback): reset the terminal, then write this. */
  data: string;
  /** The last chunk the snapshot contains (-1: none yet); `terminal:data` continues after it. */
  chunk: number;
  /** Whether a full-screen program (vim, a TUI) has the alternate screen. */
  alternateScreen: boolean;
  /** Where it came from: the runner's live screen, or rebuilt from the stored chunks. */
  source: 'runner' | 'log';
}

export interface TerminalDataMessage {
  sessionId: string;
  /** 0, 1, 2, … per session; each arrives once and in order. */
  chunk: number;
  /** Milliseconds since the terminal started, when the chunk's first byte was written. */
  offsetMs: number;
  /** Raw bytes as the program wrote them (a browser receives an ArrayBuffer). Ack them with `terminal:ack`. */
  data: Uint8Array | ArrayBuffer;
}

/** `limit_exceeded`: past a per-socket cap (rooms, replays); `rate_limited`: too many refused tokens from this address. */
export const LIVE_ERROR_CODES = ['validation', 'unauthorized', 'forbidden', 'not_found', 'limit_exceeded', 'rate_limited', 'unavailable', 'internal'] as const;
export type LiveErrorCode = (typeof LIVE_ERROR_CODES)[number];

export interface LiveErrorMessage {
  code: LiveErrorCode;
  message: string;
  /** For `validation`: each offending field by path (`rooms[0]`, `sessionId`, `(root)`). */
  fields?: { path: string; message: string }[];
  /** The client message that failed. */
  on?: ClientMessageName;
  /** For `rate_limited`: the seconds to wait before connecting again. */
  retryAfterSeconds?: number;
}

export type ResyncMessage =
  /** The client's `sinceSeq` is too old to replay: reload by REST, then subscribe again from `seq`. */
  | { kind: 'events'; reason: 'too_far_behind'; rooms: LiveRoom[]; seq: number }
  /** The client fell more than the flow-control window behind: the output it missed is replaced by this screen. */
  | { kind: 'terminal'; sessionId: string; reason: 'slow_consumer'; snapshot: TerminalSnapshotMessage };

/** What an acknowledgement callback (optional on every client message) receives. */
export type LiveAck<T extends object = object> = ({ ok: true } & T) | { ok: false; error: LiveErrorMessage };
export type SubscribeAck = LiveAck<{ rooms: LiveRoom[]; seq: number }>;

export interface ClientToServerEvents {
  subscribe(msg: SubscribeMessage, ack?: (r: SubscribeAck) => void): void;
  unsubscribe(msg: UnsubscribeMessage, ack?: (r: LiveAck<{ rooms: LiveRoom[] }>) => void): void;
  'terminal:attach'(msg: TerminalAttachMessage, ack?: (r: LiveAck<{ sessionId: string; chunk: number }>) => void): void;
  'terminal:detach'(msg: TerminalDetachMessage, ack?: (r: LiveAck) => void): void;
  'terminal:input'(msg: TerminalInputMessage, ack?: (r: LiveAck) => void): void;
  'terminal:resize'(msg: TerminalResizeMessage, ack?: (r: LiveAck) => void): void;
  'terminal:ack'(msg: TerminalAckMessage): void;
}

export interface ServerToClientEvents {
  event(msg: LiveEventMessage): void;
  'terminal:snapshot'(msg: TerminalSnapshotMessage): void;
  'terminal:data'(msg: TerminalDataMessage): void;
  error(msg: LiveErrorMessage): void;
  resync(msg: ResyncMessage): void;
}
