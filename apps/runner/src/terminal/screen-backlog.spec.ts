import { screenPaused, type ScreenBacklogBounds } from './screen-backlog';

const b: ScreenBacklogBounds = { session: 400, runner: 1_000, light: 50 };

describe(screenPaused.name, () => {
  it('pauses a session past its own bound, and resumes it once the parser is down to a quarter of it', () => {
    expect(screenPaused(false, 400, 400, b)).toBe(false);
    expect(screenPaused(false, 401, 401, b)).toBe(true);
    expect(screenPaused(true, 101, 101, b)).toBe(true);
    expect(screenPaused(true, 100, 100, b)).toBe(false);
  });

  it("pauses every session holding more than a little once the runner's backlog is past its bound", () => {
    expect(screenPaused(false, 51, 1_001, b)).toBe(true);
    // An echo or a prompt is never held up by other sessions' output.
    expect(screenPaused(false, 50, 5_000, b)).toBe(false);
    expect(screenPaused(false, 51, 1_000, b)).toBe(false);
  });

  it("resumes a session paused for the runner once the runner is down to half, or its own backlog is light again", () => {
    expect(screenPaused(true, 80, 600, b)).toBe(true);
    expect(screenPaused(true, 80, 500, b)).toBe(false);
    // The others still hold a lot, but it waits on nothing of its own: it goes on (never stuck).
    expect(screenPaused(true, 50, 5_000, b)).toBe(false);
    expect(screenPaused(true, 0, 5_000, b)).toBe(false);
  });
});
