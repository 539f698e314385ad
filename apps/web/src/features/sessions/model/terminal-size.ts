/**
 * The PTY size of each session as the last snapshot said. Watching attaches with it, so a
 * viewer that only looks never resizes the agent's terminal (the gateway resizes on attach
 * when the size differs); 120×36 is what sessions start with.
 */
const known = new Map<string, { cols: number; rows: number }>();
export const DEFAULT_TERMINAL_SIZE = { cols: 120, rows: 36 } as const;

export function knownSize(sessionId: string): { cols: number; rows: number } {
  return known.get(sessionId) ?? DEFAULT_TERMINAL_SIZE;
}

export function rememberSize(sessionId: string, cols: number, rows: number): void {
  known.set(sessionId, { cols, rows });
}

/** The scale at which a terminal of natural size `w`×`h` fits a box, never above 1. */
export function fitScale(box: { width: number; height: number }, natural: { width: number; height: number }): number {
  if (natural.width <= 0 || natural.height <= 0 || box.width <= 0 || box.height <= 0) return 1;
  return Math.min(1, box.width / natural.width, box.height / natural.height);
}
