/**
 * When does a usage limit lift? Read from the named groups of the template's quota pattern:
 * `reset` (or `resetAt`) holds an ISO time, an epoch, a duration ("in 2h 30m", "45 minutes")
 * or a time of day ("3pm", "15:30"), with an optional `tz` group (IANA name, default UTC) —
 * "resets 3pm (America/New_York)" means the next 3 pm there. Null when nothing is readable:
 * the caller waits the template's default instead. Pure: `now` is the command's time.
 */
export function parseQuotaReset(groups: Record<string, string>, now: string): string | null {
  const nowMs = Date.parse(now);
  const raw = (groups.reset ?? groups.resetAt ?? groups.resets ?? '').trim();
  const at = raw ? fromText(raw, groups.tz?.trim() || 'UTC', nowMs) : fromParts(groups);
  if (at === null) return null;
  const ms = raw ? at : nowMs + at;
  return Number.isFinite(ms) && ms > nowMs ? new Date(ms).toISOString() : null;
}

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 };

function unitOf(word: string): string | null {
  const w = word.toLowerCase();
  if (/^(d|days?)$/.test(w)) return 'd';
  if (/^(h|hrs?|hours?)$/.test(w)) return 'h';
  if (/^(m|mins?|minutes?)$/.test(w)) return 'm';
  if (/^(s|secs?|seconds?)$/.test(w)) return 's';
  return null;
}

/** A duration from `hours` / `minutes` / `seconds` groups, in ms; null if none. */
function fromParts(groups: Record<string, string>): number | null {
  let total = 0;
  let any = false;
  for (const [key, unit] of [['days', 'd'], ['hours', 'h'], ['minutes', 'm'], ['seconds', 's']] as const) {
    const v = groups[key];
    if (v !== undefined && /^\d+$/.test(v.trim())) {
      total += Number(v) * UNIT_MS[unit];
      any = true;
    }
  }
  return any ? total : null;
}

function fromText(raw: string, tz: string, nowMs: number): number | null {
  if (/^\d{13}$/.test(raw)) return Number(raw);
  if (/^\d{10}$/.test(raw)) return Number(raw) * 1000;
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(raw)) {
    const ms = Date.parse(raw.replace(' ', 'T'));
    return Number.isNaN(ms) ? null : ms;
  }
  const clock = /^(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*([ap]\.?m\.?)?$/i.exec(raw);
  if (clock) {
    let hour = Number(clock[1]);
    const minute = clock[2] ? Number(clock[2]) : 0;
    const meridiem = clock[3]?.toLowerCase().replace(/\./g, '');
    if (minute > 59 || hour > 23 || (meridiem && (hour < 1 || hour > 12))) return null;
    if (meridiem === 'pm' && hour < 12) hour += 12;
    if (meridiem === 'am' && hour === 12) hour = 0;
    return nextLocalTime(hour, minute, tz, nowMs);
  }
  const duration = /^(?:in\s+)?((?:\d+\s*[a-z]+[\s,]*(?:and\s+)?)+)$/i.exec(raw);
  if (duration) {
    let total = 0;
    for (const m of duration[1].matchAll(/(\d+)\s*([a-z]+)/gi)) {
      const unit = unitOf(m[2]);
      if (!unit) return null;
      total += Number(m[1]) * UNIT_MS[unit];
    }
    return nowMs + total;
  }
  return null;
}

/** The first instant after `nowMs` whose wall clock in `tz` reads hour:minute. */
function nextLocalTime(hour: number, minute: number, tz: string, nowMs: number): number {
  const zone = validZone(tz);
  const today = wallClock(nowMs, zone);
  for (let day = 0; day <= 2; day++) {
    const guess = Date.UTC(today.year, today.month - 1, today.day + day, hour, minute);
    let at = guess - offsetMs(guess, zone);
    at = guess - offsetMs(at, zone); // once more: the offset at the answer may differ (DST)
    if (at > nowMs) return at;
  }
  return nowMs + 86_400_000;
}

function validZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    return 'UTC';
  }
}

function wallClock(ms: number, tz: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** Wall clock minus UTC at that instant. */
function offsetMs(ms: number, tz: string): number {
  const w = wallClock(ms, tz);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}
