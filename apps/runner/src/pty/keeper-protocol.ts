/*
 * The PTY keeper's wire format (docs/decisions/0029): frames on a Unix socket, each
 * `u32 length | u8 type | u16 key length | key | payload`, length counting what follows it.
 * The key names a session's start (`<sessionId>.<startSeq>`); control payloads are JSON,
 * terminal bytes (`data`, `write`, `tail`) are raw.
 */

export const KEEPER_PROTOCOL = 1;

export const FrameType = {
  // runner → keeper
  hello: 0x01, // payload {protocol}: answered by `helloBack`
  spawn: 0x02, // {opts, meta}: answered by `spawned` or `failed` under the same key
  list: 0x03, // answered by `listed`
  attach: 0x04, // output from the last mark on, then live: answered by `attached` (+ `tail`)
  write: 0x05,
  resize: 0x06, // {cols, rows}
  pause: 0x07,
  resume: 0x08,
  kill: 0x09, // {signal, graceMs}
  mark: 0x0a, // {chunk, offsetMs, bytes}: output up to `bytes` is in the log, as chunks up to `chunk`
  release: 0x0b, // its exit was reported: forget it
  quit: 0x0c, // the runner is shutting down for good: exit now if nothing is held
  // keeper → runner
  helloBack: 0x41, // {protocol, pid}
  spawned: 0x42, // {pid}
  failed: 0x43, // {message}
  listed: 0x44, // KeptSessionInfo[]
  attached: 0x45, // KeptSessionInfo
  data: 0x46,
  exit: 0x47, // {exitCode, signal}
  tail: 0x48, // the output before the mark (up to 256 KiB), for a new screen
} as const;

export interface KeeperMark {
  chunk: number;
  offsetMs: number;
  /** Output bytes, counted from the program's start, that the marked chunks hold. */
  bytes: number;
  /** Keeper's clock (epoch ms) when the mark came: offsets go on from it after a re-attach. */
  at?: number;
}

export interface KeptSessionInfo {
  key: string;
  pid: number;
  meta: unknown;
  mark: KeeperMark | null;
  exit: { exitCode: number | null; signal: string | null } | null;
}

export interface Frame {
  type: number;
  key: string;
  payload: Buffer;
}

export function encodeFrame(type: number, key: string, payload: Uint8Array | string | object = Buffer.alloc(0)): Buffer {
  const body = payload instanceof Uint8Array ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const keyBytes = Buffer.from(key, 'utf8');
  const head = Buffer.alloc(4 + 1 + 2);
  head.writeUInt32BE(1 + 2 + keyBytes.length + body.byteLength, 0);
  head.writeUInt8(type, 4);
  head.writeUInt16BE(keyBytes.length, 5);
  return Buffer.concat([head, keyBytes, body]);
}

/** Cuts a byte stream into frames; keeps the partial rest for the next push. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(bytes: Buffer, onFrame: (frame: Frame) => void): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, bytes]) : bytes;
    while (this.pending.length >= 4) {
      const length = this.pending.readUInt32BE(0);
      if (length < 3 || length > 64 * 1024 * 1024) throw new Error(`keeper frame of ${length} bytes`);
      if (this.pending.length < 4 + length) return;
      const type = this.pending.readUInt8(4);
      const keyLength = this.pending.readUInt16BE(5);
      const key = this.pending.subarray(7, 7 + keyLength).toString('utf8');
      const payload = this.pending.subarray(7 + keyLength, 4 + length);
      this.pending = this.pending.subarray(4 + length);
      onFrame({ type, key, payload });
    }
  }
}

export const jsonOf = <T>(frame: Frame): T => JSON.parse(frame.payload.toString('utf8') || 'null') as T;
