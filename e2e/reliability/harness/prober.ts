import { isAccepted, sendCommand } from './http';

export interface Probe {
  sentAt: number;
  ms: number;
  attempts: number;
  ok: boolean;
  /** For a probe that was not accepted: the final status and answer. */
  refused?: string;
}

/**
 * A fresh command every `everyMs`, each in flight on its own (not waiting for the one
 * before): what a new user sees while something is down. Recovery is when fresh commands
 * are answered promptly again.
 */
export class Prober {
  readonly probes: Probe[] = [];
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();
  private n = 0;

  constructor(
    private readonly base: () => string,
    private readonly token: string,
    private readonly projectId: string,
    private readonly prefix: string,
    private readonly everyMs = 250,
  ) {}

  start(): this {
    this.timer = setInterval(() => {
      const i = this.n++;
      // A new aggregate each: probes in flight together never contend for one subject.
      const p = sendCommand(this.base, this.token, { kind: 'project.create', method: 'POST', path: '/api/projects', body: { name: `Probe ${i}`, repository: { location: `/srv/${this.projectId}/probe-${i}` } }, key: `${this.prefix}-${i}` }, { deadlineMs: 60_000, timeoutMs: 20_000 }).then((r) => {
        this.probes.push({ sentAt: isAccepted(r) ? r.sentAt : Date.now(), ms: isAccepted(r) ? r.ms : NaN, attempts: isAccepted(r) ? r.attempts : 0, ok: isAccepted(r), ...(isAccepted(r) ? {} : { refused: `${r.status} ${r.text.slice(0, 200)}` }) });
      });
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }, this.everyMs);
    return this;
  }

  async stop(): Promise<Probe[]> {
    clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
    return this.probes.sort((a, b) => a.sentAt - b.sentAt);
  }

  /**
   * Seconds from `since` until fresh commands were answered promptly again: the answer time of
   * the first prompt probe (first try, within `promptMs`) after the last one that was not.
   */
  recoverySeconds(since: number, promptMs = 5_000): number {
    const after = this.probes.filter((p) => p.sentAt >= since).sort((a, b) => a.sentAt - b.sentAt);
    const prompt = (p: Probe) => p.ok && p.attempts === 1 && p.ms <= promptMs;
    let lastBad = -1;
    after.forEach((p, i) => {
      if (!prompt(p)) lastBad = i;
    });
    const firstGood = after[lastBad + 1];
    if (!firstGood) return NaN;
    return Math.max(0, firstGood.sentAt + firstGood.ms - since) / 1000;
  }

  /** The probes after `since` that were not prompt: `+<s after since>:<ms>ms×<tries>`. */
  slow(since: number, promptMs = 5_000): string[] {
    return this.probes
      .filter((p) => p.sentAt >= since && !(p.ok && p.attempts === 1 && p.ms <= promptMs))
      .sort((a, b) => a.sentAt - b.sentAt)
      .map((p) => `+${((p.sentAt - since) / 1000).toFixed(1)}s:${p.ms}ms×${p.attempts}`);
  }

  /** Probes not accepted in the end (every one should be), with why. */
  get failed(): string[] {
    return this.probes.filter((p) => !p.ok).map((p) => p.refused ?? 'unknown');
  }
}
