import { dirname } from 'node:path';

/*
 * A root runner hands its agents' user what a session works in before each start (agent-user.ts).
 * A directory shared by the project's sessions — the project's checkout, the repository's mirror —
 * was handed over with a `chown -R` per start: 100 starts at once walked the same tree 100 times
 * (decision 0026, issue #13). It is now handed over once per change: the runner says where it
 * wrote as root (`written`: a fetch, a worktree add, a merge, copied files), and a start waits
 * only for a hand-over of what changed since the last one, shared with every start that needs it.
 */

/** Where the runner wrote as root: a tree (`deep`), or a directory it created on the way (that entry alone). */
export interface WrittenPath {
  path: string;
  deep: boolean;
}

/** Hands `paths` to the agents' user: deep ones with everything below, the others alone. */
export type Chown = (paths: readonly WrittenPath[]) => Promise<void>;

interface Mark extends WrittenPath {
  gen: number;
}

interface RootState {
  /** Every write marked at or before this generation is the agent's (-1: never handed over). */
  covered: number;
  /** The hand-over running now, and the generation it covers once done. */
  running: { done: Promise<void>; gen: number } | null;
}

const within = (path: string, root: string) => path === root || path.startsWith(`${root}/`);
const related = (a: string, b: string) => within(a, b) || within(b, a);

/**
 * Coalesces hand-overs of shared directories. Each root write gets a generation; a hand-over
 * snapshots the generation when it starts and covers the writes marked up to then. A writer
 * marks after its write has finished, so a write still going on when a hand-over started is
 * marked later than that snapshot and gets a hand-over of its own: a start never runs beside a
 * root-owned entry the runner wrote before it asked.
 */
export class SharedDirs {
  private gen = 0;
  private marks: Mark[] = [];
  private readonly roots = new Map<string, RootState>();

  constructor(
    private readonly chown: Chown,
    /** Called when a hand-over nobody waits for (after a write into a root handed over before) fails. */
    private readonly onBackgroundError: (root: string, err: unknown) => void = () => undefined,
  ) {}

  /**
   * The runner wrote `paths` (absolute, inside `root`; none: anywhere in it) as root. A root
   * handed over before is handed over again at once, for the sessions running in it now.
   */
  written(root: string, paths?: readonly (string | WrittenPath)[]): void {
    if (paths?.length === 0) return;
    const gen = ++this.gen;
    const list = paths ? paths.map((p) => (typeof p === 'string' ? { path: p, deep: true } : p)) : [{ path: root, deep: true }];
    const known = [...this.roots.entries()].filter(([r]) => list.some((p) => related(p.path, r)));
    // A root never handed over gets all of itself at its first hand-over: nothing to remember for it.
    if (!known.length) return;
    this.marks.push(...list.map((p) => ({ ...p, gen })));
    for (const [r, state] of known) {
      if (state.covered >= 0) this.handOver(r).catch((err: unknown) => this.onBackgroundError(r, err));
    }
  }

  /** Resolves once everything the runner wrote in `root` before this call is the agent's. */
  async handOver(root: string): Promise<void> {
    const state = this.state(root);
    const want = this.wanted(root, state);
    while (state.covered < want) {
      if (state.running) {
        // One hand-over at a time per root; a failed one is tried again by whoever still needs it.
        await state.running.done.catch(() => undefined);
        continue;
      }
      const gen = this.gen;
      const done = this.pass(root, state, gen);
      state.running = { done, gen };
      try {
        await done;
      } finally {
        if (state.running.done === done) state.running = null;
      }
    }
  }

  /** How many root writes are remembered for a later hand-over (for tests and diagnostics). */
  get pending(): number {
    return this.marks.length;
  }

  private state(root: string): RootState {
    let state = this.roots.get(root);
    if (!state) {
      state = { covered: -1, running: null };
      this.roots.set(root, state);
    }
    return state;
  }

  /** The newest generation this root must cover: 0 before its first hand-over, else its newest write. */
  private wanted(root: string, state: RootState): number {
    if (state.covered < 0) return Math.max(0, this.gen);
    let want = state.covered;
    for (const m of this.marks) if (m.gen > want && related(m.path, root)) want = m.gen;
    return want;
  }

  private async pass(root: string, state: RootState, gen: number): Promise<void> {
    const paths = state.covered < 0 ? [{ path: root, deep: true }] : pathsToHandOver(root, this.marks.filter((m) => m.gen > state.covered && m.gen <= gen && related(m.path, root)));
    if (paths.length) await this.chown(paths);
    state.covered = Math.max(state.covered, gen);
    this.forget();
  }

  /** Drops the marks every root they concern has covered. */
  private forget(): void {
    const states = [...this.roots.entries()];
    this.marks = this.marks.filter((m) => states.some(([r, s]) => s.covered < m.gen && related(m.path, r)));
  }
}

/** The least set of entries to hand over for these marks: a mark above the root means all of it. */
export function pathsToHandOver(root: string, marks: readonly WrittenPath[]): WrittenPath[] {
  if (marks.some((m) => within(root, m.path))) return [{ path: root, deep: true }];
  const deep = [...new Set(marks.filter((m) => m.deep).map((m) => m.path))].sort();
  const kept: string[] = [];
  for (const p of deep) if (!kept.some((k) => within(p, k))) kept.push(p);
  const shallow = [...new Set(marks.filter((m) => !m.deep).map((m) => m.path))].filter((p) => !kept.some((k) => within(p, k))).sort();
  return [...kept.map((path) => ({ path, deep: true })), ...shallow.map((path) => ({ path, deep: false }))];
}

/** A written entry and the directories `mkdir -p` may have made for it, up to (not including) `root`. */
export function writtenWithParents(root: string, path: string, deep = true): WrittenPath[] {
  const out: WrittenPath[] = [{ path, deep }];
  for (let d = dirname(path); d !== root && within(d, root); d = dirname(d)) out.push({ path: d, deep: false });
  return out;
}
