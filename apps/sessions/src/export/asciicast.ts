/** A coalesced terminal chunk as `baton.term.<sessionId>` carries it: seconds since the session's start and the text. */
export interface TerminalChunk {
  t: number;
  data: string;
}

export interface AsciicastHeader {
  width: number;
  height: number;
  /** Unix seconds of the recording's start. */
  timestamp: number;
  title?: string;
  env?: Record<string, string>;
}

/** Seek points for the player: a timeline entry becomes a marker at its offset. */
export interface Marker {
  t: number;
  label: string;
}

const round = (t: number) => Math.round(t * 1e6) / 1e6;

/**
 * asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/), playable with
 * `asciinema play`: a JSON header line, then one `[time, "o", data]` line per chunk, plus
 * `[time, "m", label]` markers. Times never go backwards (a chunk that arrives with an
 * earlier offset is played at the latest time seen); markers sort before output at the same time.
 */
export function toAsciicast(header: AsciicastHeader, chunks: TerminalChunk[], markers: Marker[] = []): string {
  const head: Record<string, unknown> = {
    version: 2,
    width: Math.max(1, Math.floor(header.width)),
    height: Math.max(1, Math.floor(header.height)),
    timestamp: Math.floor(header.timestamp),
  };
  if (header.title) head.title = header.title;
  if (header.env && Object.keys(header.env).length) head.env = header.env;
  const lines = [JSON.stringify(head)];
  const events: { t: number; kind: 'o' | 'm'; text: string; order: number }[] = [];
  let clock = 0;
  chunks.forEach((c, i) => {
    if (!c.data) return;
    clock = Math.max(clock, Number.isFinite(c.t) ? c.t : clock);
    events.push({ t: round(clock), kind: 'o', text: c.data, order: 1_000_000 + i });
  });
  markers.forEach((m, i) => events.push({ t: round(Math.max(0, m.t)), kind: 'm', text: m.label.replace(/[\r\n]+/g, ' '), order: i }));
  events.sort((a, b) => a.t - b.t || a.order - b.order);
  for (const e of events) lines.push(JSON.stringify([e.t, e.kind, e.text]));
  return `${lines.join('\n')}\n`;
}

/** Timeline entries as markers, relative to the recording's start. */
export function timelineMarkers(startedAt: string, entries: { at: string; kind: string; message: string }[]): Marker[] {
  const start = Date.parse(startedAt);
  return entries.map((e) => ({ t: Math.max(0, (Date.parse(e.at) - start) / 1000), label: `${e.kind}: ${e.message}`.slice(0, 200) }));
}
