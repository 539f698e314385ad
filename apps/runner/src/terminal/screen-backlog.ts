/*
 * Output the runner's screens have not parsed yet. The screen thread runs at low priority
 * and may fall behind the PTYs; what it has not parsed is held in memory, so it is bounded
 * per session and for the whole runner. Past a bound the session's PTY is paused (the
 * program waits on a full terminal, as it would behind a slow viewer) until the parser
 * catches up.
 */

export interface ScreenBacklogBounds {
  /** One session's unparsed bytes: past it that session pauses. */
  session: number;
  /** All sessions' unparsed bytes: past it every session holding more than `light` pauses. */
  runner: number;
  /** A session with no more than this unparsed is never paused for the runner's backlog (an echo, a prompt). */
  light: number;
}

export const SCREEN_BACKLOG: ScreenBacklogBounds = { session: 4 * 1024 * 1024, runner: 64 * 1024 * 1024, light: 256 * 1024 };

/**
 * Whether a session's PTY should be paused for its screen, given whether it is now, its own
 * unparsed bytes and the runner's. A session paused for the runner's backlog resumes once its
 * own is light again, so none waits on the others for good (pure).
 */
export function screenPaused(paused: boolean, own: number, total: number, b: ScreenBacklogBounds = SCREEN_BACKLOG): boolean {
  if (!paused) return own > b.session || (total > b.runner && own > b.light);
  const resume = own <= b.session / 4 && (total <= b.runner / 2 || own <= b.light);
  return !resume;
}

/** The runner's unparsed bytes: every session's pipeline adds what it hands the screen and takes back what was parsed. */
export const runnerScreenBacklog = { bytes: 0 };
