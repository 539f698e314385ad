/*
 * Replaying a recorded terminal (asciicast v2, as the export route gives it): frames of
 * output at offsets from the recording's start. The cursor says what to write to move the
 * screen to any instant: forward, only the frames in between; backward, a reset and every
 * frame up to there (a terminal cannot un-write).
 */

export interface Frame {
  /** Seconds since the recording started. */
  t: number;
  data: string;
}

export interface Cast {
  width: number;
  height: number;
  /** Unix milliseconds of the start, as precise as the markers allow. */
  startMs: number;
  frames: Frame[];
  markers: { t: number; label: string }[];
  duration: number;
}

/** Parses asciicast v2; bad lines are skipped. `timeline` (entries with `at`) refines the start to the millisecond. */
export function parseCast(text: string, timeline: readonly { at: string; kind: string; message: string }[] = []): Cast {
  const lines = text.split('\n').filter((l) => l.trim());
  let header: { width?: number; height?: number; timestamp?: number } = {};
  try {
    header = JSON.parse(lines[0] ?? '{}') as typeof header;
  } catch {
    /* no header: defaults */
  }
  const frames: Frame[] = [];
  const markers: { t: number; label: string }[] = [];
  for (const line of lines.slice(1)) {
    try {
      const v = JSON.parse(line) as unknown;
      if (!Array.isArray(v) || typeof v[0] !== 'number' || typeof v[2] !== 'string') continue;
      if (v[1] === 'o') frames.push({ t: v[0], data: v[2] });
      else if (v[1] === 'm') markers.push({ t: v[0], label: v[2] });
    } catch {
      /* skip */
    }
  }
  let startMs = (header.timestamp ?? 0) * 1_000;
  // The header's timestamp is whole seconds; a marker is a timeline entry at a known instant.
  for (const mk of markers) {
    const e = timeline.find((x) => `${x.kind}: ${x.message}`.slice(0, 200) === mk.label);
    if (e) {
      startMs = Date.parse(e.at) - mk.t * 1_000;
      break;
    }
  }
  // The recording may stop a moment before the session's last events: the replay runs to those too.
  const lastEvent = timeline.length ? (Date.parse(timeline[timeline.length - 1].at) - startMs) / 1_000 : 0;
  const duration = Math.max(frames.at(-1)?.t ?? 0, markers.at(-1)?.t ?? 0, Number.isFinite(lastEvent) ? lastEvent : 0);
  return { width: header.width ?? 120, height: header.height ?? 36, startMs, frames, markers, duration };
}

export interface Step {
  /** Clear the screen before writing. */
  reset: boolean;
  /** What to write, in order (joined: one write). */
  data: string;
}

export class ReplayCursor {
  /** Frames written so far: frames[0 .. applied-1]. */
  private applied = 0;
  private pos = 0;

  constructor(private readonly frames: readonly Frame[]) {}

  get position(): number {
    return this.pos;
  }

  /** How many frames are on screen. */
  get index(): number {
    return this.applied;
  }

  /** Moves to `t` seconds: the writes that take the screen there. */
  seek(t: number): Step {
    const target = Math.max(0, t);
    const upto = this.countAt(target);
    this.pos = target;
    if (upto >= this.applied) {
      const data = this.join(this.applied, upto);
      this.applied = upto;
      return { reset: false, data };
    }
    this.applied = upto;
    return { reset: true, data: this.join(0, upto) };
  }

  /** Plays on by `dt` seconds of recording time. */
  advance(dt: number): Step {
    return this.seek(this.pos + Math.max(0, dt));
  }

  /** Frames with t ≤ at (binary search). */
  private countAt(at: number): number {
    let lo = 0;
    let hi = this.frames.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.frames[mid].t <= at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private join(from: number, to: number): string {
    let s = '';
    for (let i = from; i < to; i++) s += this.frames[i].data;
    return s;
  }
}

export const SPEEDS = [1, 2, 4, 8, 16] as const;
