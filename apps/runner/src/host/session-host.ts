import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunnerHeartbeat, RunnerInput, RunnerStart, RunnerStop } from '@baton/events';
import type { Broker, Logger } from '@baton/event-store';
import { OutputPatterns } from '../patterns';
import { PtySpawnError, RemotePty, resolveExecutable, spawnPty, type KeptSessionInfo, type PtyExit, type PtyKeeperClient, type PtyProcess } from '../pty';
import { createScreen, startTerminalPipeline, type ScreenSnapshot } from '../terminal';
import { NoFreePortError, UnsafePathError, type PortAllocator } from '../worktree';
import { HostedSession } from './hosted-session';
import type { HostedSessionsRepository } from './hosted-sessions.repository';
import { adapterFor } from '@baton/agents';
import { prepareAgentLaunch } from './agent-home';
import { sandboxedArgv } from './sandbox';
import { knownGitDirs } from './git-dirs';
import { chownPaths, dirsBetween, handOver, type AgentUser } from './agent-user';
import { SharedDirs } from './shared-dirs';
import { typedKeys, type TypedKey } from './typed-input';
import { sessionEnv } from './launch-env';
import { tokenFileName, writeTokenFile, type TokenKeeper } from './token-keeper';
import { escapedMembers, killPids, procInfo, readBootId } from './processes';
import type { Reporter } from './reporter';
import { SessionReports } from './session-reports';
import { runCleanup, runSetup, unconfined, type Confine } from './template-scripts';
import { LaunchError, type Workspaces } from './workspaces';

export interface SessionHostOptions {
  runnerId: string;
  /** `<namespace>/<runnerId>`: marks the processes this runner spawned. */
  runnerKey: string;
  capacity: number;
  broker: Broker;
  reporter: Reporter;
  workspaces: Workspaces;
  ports: PortAllocator;
  repo: HostedSessionsRepository;
  logger: Logger;
  /** What sessions inherit from the runner's environment. */
  inheritedEnv: Record<string, string>;
  setupTimeoutMs: number;
  /** Nice value of the sessions' programs: the runner (heartbeats, terminals, starts) stays responsive under their load. */
  agentNice?: number;
  /** Sessions already started by an earlier life of this runner: sessionId → start sequence. */
  latestStarts?: Map<string, number>;
  /** Real agents (start.agent): where their homes live, the `baton` launcher their hooks run, their git identity. */
  agents?: { dataDir: string; batonLauncher: string; gitAuthor: { name: string; email: string } };
  /** Every session runs in bubblewrap (host/sandbox.ts) when set: the runner's state hidden, its work writable. */
  /** `user`: a root runner's sessions run as it, owning what they work in (agent-user.ts). */
  /** `dataDir`: the runner's, which the agent user must be able to pass through to reach its work. */
  /** `foreground`: the argv prefix that gives the program its terminal's signals (sandbox.ts foregroundPrefix). */
  sandbox?: { bwrap: string; dataDir: string; hidden: string[]; readable: string[]; user?: AgentUser | null; foreground?: string[] } | null;
  /** Keeps each session's token fresh in its BATON_TOKEN_FILE while it runs (decision 0024); absent: the token is only written once. */
  tokens?: TokenKeeper;
  /** Holds the sessions' PTYs in a process of its own that outlives this one (docs/decisions/0029); absent: PTYs die with the runner. */
  keeper?: PtyKeeperClient | null;
}

/** What the keeper keeps beside a program, for the runner that takes it back after a restart. */
interface KeptMeta {
  start: RunnerStart;
  startSeq: number;
  workspaceDir: string;
  workDirs: string[];
  env: Record<string, string>;
  submit: HostedSession['submit'];
  port: number;
  tokenFile: string | null;
}

/** The keeper's name for one start of a session. */
const keptKey = (h: HostedSession) => `${h.sessionId}.${h.startSeq}`;

/** The session a program the keeper holds belongs to. */
export const keptSessionId = (kept: KeptSessionInfo) => (kept.meta as KeptMeta).start.sessionId;

const CLEANUP_TIMEOUT_MS = 5 * 60_000;
const DISOWN_GRACE_MS = 3_000;
const MAX_RECENT = 256;

/**
 * Hosts sessions on this machine: acts on `start`/`stop`/`input`, reports what happens
 * (`session.record_*`) and keeps what the heartbeat and the HTTP surface show. Handlers
 * make their state changes before their first await, so messages handled concurrently
 * still act in the order they were delivered.
 */
/** A session that ended here lately: what its cleanup needs, if a stop asks for it later. */
interface RecentSession {
  workspaceDir: string;
  script: string | null;
  env: Record<string, string>;
  confine: Confine;
}

export class SessionHost {
  private readonly sessions = new Map<string, HostedSession>();
  /** Superseded or disowned starts whose process is still going away. */
  private readonly leaving = new Set<HostedSession>();
  /** Recently ended starts, for a `stop` with cleanup that arrives after the exit. */
  private readonly recent = new Map<string, RecentSession>();
  private readonly latestStarts: Map<string, number>;
  /** Attempts whose copy here was fenced (their session moved away): never merged from here. */
  private readonly fencedAttempts = new Set<string>();
  private readonly bootId = readBootId();
  private readonly reports: SessionReports;
  /** A root runner's shared workspaces (project checkouts, mirrors), handed to its agents' user once per change. */
  private readonly shared: SharedDirs | null;
  private draining = false;

  constructor(private readonly o: SessionHostOptions) {
    this.latestStarts = o.latestStarts ?? new Map();
    this.reports = new SessionReports(o.reporter, o.runnerId, o.repo);
    const user = o.sandbox?.user;
    this.shared = user ? new SharedDirs((paths) => chownPaths(user, paths), (root, err) => o.logger.warn({ err, root }, 'could not hand a shared directory to the agents again')) : null;
    const shared = this.shared;
    if (shared) o.workspaces.onWrite((root, paths) => shared.written(root, paths));
  }

  get size(): number {
    return this.sessions.size;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async handleStart(start: RunnerStart, startSeq: number): Promise<void> {
    const { sessionId } = start;
    const existing = this.sessions.get(sessionId);
    if (existing?.startSeq === startSeq || this.latestStarts.get(sessionId) === startSeq) {
      // A redelivered start: carried out already (perhaps by this runner before a restart).
      this.o.logger.info({ sessionId, startSeq }, 'start delivered again; already handled');
      if (existing?.phase === 'running') this.reports.spawned(existing, () => this.disown(existing));
      return;
    }
    if (existing) this.supersede(existing);
    if (this.draining) return this.refuse(start, startSeq, 'runner is shutting down');
    if (this.sessions.size >= this.o.capacity) return this.refuse(start, startSeq, `runner is at capacity (${this.sessions.size}/${this.o.capacity})`);

    const h = new HostedSession(start, startSeq);
    if (start.workspace.kind === 'attempt') this.fencedAttempts.delete(start.workspace.attemptId);
    this.sessions.set(sessionId, h);
    this.latestStarts.set(sessionId, startSeq);
    if (existing) await existing.done;
    try {
      await this.launch(h);
    } catch (e) {
      this.release(h);
      h.finish();
      if (h.cancelled) {
        this.o.logger.info({ sessionId }, 'stopped before it ran');
        return;
      }
      const retryable = e instanceof NoFreePortError;
      const error = describe(e).slice(0, 2_000);
      this.o.logger.warn({ sessionId, error, retryable }, 'spawn failed');
      this.reports.spawnFailed(sessionId, startSeq, error, retryable, start);
    }
  }

  async handleStop(stop: RunnerStop): Promise<void> {
    const h = this.sessions.get(stop.sessionId);
    if (!h) return stop.fence ? undefined : this.cleanupAfterExit(stop);
    if (stop.fence) {
      // A newer placement of the same session runs here now: the fence was for an older copy.
      if (stop.epoch !== undefined && h.start.epoch !== undefined && h.start.epoch > stop.epoch) return;
      this.o.logger.warn({ sessionId: h.sessionId, epoch: h.start.epoch, reason: stop.reason }, 'session moved away: fencing this copy');
      this.fence(h);
    }
    h.stopRequest = { cleanup: stop.cleanup && !h.fenced, reason: stop.reason };
    if (h.phase === 'preparing') {
      h.cancel();
      return;
    }
    this.o.logger.info({ sessionId: h.sessionId, reason: stop.reason, graceMs: stop.graceMs }, 'stopping');
    await h.pty?.kill('SIGTERM', stop.graceMs);
    await h.done;
  }

  handleInput(input: RunnerInput): void {
    const h = this.sessions.get(input.sessionId);
    if (!h) {
      this.o.logger.warn({ sessionId: input.sessionId }, 'input for a session this runner does not host');
      return;
    }
    // While preparing, the agent's submit style is not known yet: keep the input, type it at spawn.
    if (h.phase === 'preparing') h.pendingInput.push(input.submit ? { data: input.data, submit: true } : input.data);
    else void this.type(h, typedKeys(input, h.submit));
  }

  /** Keystrokes in order; a submitted message's Enter waits the agent's delay (input stays ordered behind it). */
  private async type(h: HostedSession, keys: TypedKey[]): Promise<void> {
    const previous = h.typing;
    let release!: () => void;
    h.typing = new Promise<void>((r) => (release = r));
    await previous;
    try {
      for (const key of keys) {
        if (key.delayMs) await new Promise((r) => setTimeout(r, key.delayMs));
        h.pipeline?.coalescer.expedite();
        h.pty?.write(key.text);
      }
    } finally {
      release();
    }
  }

  heartbeat(): RunnerHeartbeat {
    return {
      runnerId: this.o.runnerId,
      at: new Date().toISOString(),
      sessions: [...this.sessions.values()]
        .filter((h) => !h.fenced)
        .map((h) => ({ sessionId: h.sessionId, pid: h.pid, lastOutputAt: h.lastOutputAt, ...(h.start.epoch !== undefined ? { epoch: h.start.epoch } : {}) })),
    };
  }

  async screen(sessionId: string): Promise<(ScreenSnapshot & { sessionId: string }) | null> {
    const h = this.sessions.get(sessionId);
    if (!h?.screen) return null;
    const snapshot = await h.screen.snapshot().catch(() => null);
    return snapshot && { sessionId, ...snapshot };
  }

  /** Stops taking starts; waits `timeoutMs` for sessions to end by themselves, then stops the rest. */
  async drain(timeoutMs: number, graceMs = 5_000): Promise<void> {
    this.draining = true;
    const all = () => Promise.all([...this.sessions.values(), ...this.leaving].map((h) => h.done));
    const ended = await Promise.race([all().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref())]);
    if (ended) return;
    this.o.logger.info({ sessions: this.sessions.size }, 'stopping the sessions still running');
    for (const h of this.sessions.values()) {
      if (h.phase === 'preparing') h.cancel();
      else h.stopRequest ??= { cleanup: false, reason: 'runner shutting down' };
    }
    await Promise.all([...this.sessions.values(), ...this.leaving].map((h) => h.pty?.kill('SIGTERM', graceMs)));
    await all();
  }

  private async launch(h: HostedSession): Promise<void> {
    const { start } = h;
    const { sessionId } = start;
    const started = performance.now();
    // How long each step of preparing took (ms), for the "session running" line.
    const steps: Record<string, number> = {};
    let stepAt = started;
    const step = (name: string) => {
      const t = performance.now();
      steps[name] = Math.round(t - stepAt);
      stepAt = t;
    };
    const dialog = start.agent ? (adapterFor(start.agent.id)?.blockingDialog?.source ?? null) : null;
    h.patterns = new OutputPatterns(start.patterns, { dialog, onMatch: (m) => this.reports.match(h, m, () => this.disown(h)) });
    const ws = await this.o.workspaces.prepare(start, h.signal);
    step('workspace');
    h.workspaceDir = ws.root;
    this.checkCancelled(h);
    if (start.workspace.kind === 'attempt' && ws.baseCommit) {
      this.reports.workspace(h, { attemptId: start.workspace.attemptId, taskId: start.workspace.taskId, worktreePath: ws.root, baseCommit: ws.baseCommit });
    }
    const copied = await this.o.workspaces.copyFiles(ws, start);
    if (copied?.missing.length) this.o.logger.info({ sessionId, missing: copied.missing }, 'copyFiles: not in the project checkout');
    const port = await this.o.ports.allocate(portOwner(h));
    const sessionDir = this.o.workspaces.sessionDir(sessionId);
    const files = await this.o.workspaces.writeLaunchFiles(sessionId, start.launch.files);
    const tokenFile = await this.keepToken(h, sessionDir);
    step('files');
    let env = sessionEnv({ inherited: this.o.inheritedEnv, launch: start.launch.env, files, sessionId, port, sessionDir, workspaceDir: ws.root, runnerKey: this.o.runnerKey, tokenFile });
    let argv = start.launch.argv;
    // What the session works in, and the only places it may write when sandboxed.
    let workDirs: string[];
    if (start.agent) {
      if (!this.o.agents) throw new LaunchError(`this runner does not drive real agents (${start.agent.id})`);
      const plan = await prepareAgentLaunch({ start, dataDir: this.o.agents.dataDir, worktree: ws.root, env, batonLauncher: this.o.agents.batonLauncher, gitAuthor: this.o.agents.gitAuthor });
      ({ argv, env } = plan);
      h.submit = plan.adapter.submit;
      workDirs = [ws.root, ...plan.gitDirs, plan.home, sessionDir];
      if (plan.resumeId) this.o.logger.info({ sessionId, agent: start.agent.id, resumeId: plan.resumeId }, 'resuming the agent conversation');
      step('agent');
    } else {
      // A command template (a dev server, a test watcher) runs the agent's work too (its tests,
      // its package scripts): sandboxed like an agent, with a home of its own to write in,
      // since the runner's is read-only (or, on a root runner, closed) inside.
      const commandHome = this.o.sandbox ? await commandSessionHome(sessionDir) : null;
      if (commandHome && !start.launch.env.HOME) env = { ...env, HOME: commandHome };
      workDirs = [ws.root, ...(this.o.sandbox ? await knownGitDirs(ws.root, ws.shared ?? []) : []), ...(commandHome ? [commandHome] : []), sessionDir];
      step('workDirs');
    }
    h.env = env;
    const sandbox = this.o.sandbox;
    const user = sandbox?.user ?? undefined;
    const sharedDirs = this.shared;
    if (sandbox && user && sharedDirs) {
      // What other sessions work in too is handed over once per change; the session's own dirs at each start.
      const { own, shared } = await splitShared(workDirs, ws.shared ?? []);
      const through = [...sandbox.readable, ...[...workDirs, ...sandbox.readable].flatMap((d) => dirsBetween(sandbox.dataDir, d))];
      await Promise.all([handOver(user, own, through), ...shared.map((d) => sharedDirs.handOver(d))]);
      step('handOver');
    }
    // The session's setup script, its process and later its cleanup run in its sandbox, as its user.
    const confine = this.confineFor(workDirs);
    h.confine = confine;
    if (start.setupScript) await runSetup({ workspaces: this.o.workspaces, ws, script: start.setupScript, env, timeoutMs: this.o.setupTimeoutMs, logger: this.o.logger, sessionId, confine });
    const cwd = await this.o.workspaces.resolveCwd(ws, start.launch.cwd);
    step('setup');
    const last = start.terminal ?? null;
    this.checkCancelled(h);
    const prepareMs = performance.now() - started;

    // A missing program is a spawn failure, not a sandbox that prints why and exits 1.
    resolveExecutable(argv[0] ?? '', env.PATH ?? '', cwd);
    argv = confine(argv, cwd).argv;
    const spawnOptions = { argv, env, cwd, cols: start.size.cols, rows: start.size.rows, nice: this.o.agentNice, user, sandboxMonitor: confine !== unconfined };
    // In the keeper, the program outlives this runner process (a restart, an upgrade) and is taken back by the next one.
    const meta: KeptMeta = { start, startSeq: h.startSeq, workspaceDir: ws.root, workDirs, env, submit: h.submit, port, tokenFile };
    const pty = this.o.keeper ? await this.o.keeper.spawn(keptKey(h), spawnOptions, meta) : spawnPty(spawnOptions);
    this.run(h, pty, last);
    for (const early of [...start.initialInput, ...h.pendingInput.splice(0)]) void this.type(h, typedKeys(typeof early === 'string' ? { data: early, submit: false } : early, h.submit));

    const timing = { prepareMs: Math.round(prepareMs), steps, totalMs: Math.round(performance.now() - h.receivedAt) };
    this.o.logger.info({ sessionId, ...timing, pid: pty.pid, run: start.run, workspace: ws.root, port }, 'session running');
    this.reports.spawned(h, () => this.disown(h));
    const info = procInfo(pty.pid);
    await this.o.repo
      .spawned({ sessionId, run: start.run, startSeq: h.startSeq, pid: pty.pid, bootId: this.bootId, procStart: info?.startTime ?? null, workspaceDir: ws.root, cleanupScript: start.cleanupScript, startedAt: new Date().toISOString() })
      .catch((err) => this.o.logger.error({ err, sessionId }, 'could not record the hosted session'));
    if (h.cancelled) void pty.kill('SIGTERM', 2_000);
  }

  /** Runs a program (a script, the session's own) in the session's sandbox, writing only `workDirs`. */
  private confineFor(workDirs: readonly string[]): Confine {
    const sandbox = this.o.sandbox;
    if (!sandbox) return unconfined;
    const user = sandbox.user ?? undefined;
    const foreground = sandbox.foreground ?? [];
    // A later cleanup binds what is still there (bwrap refuses a missing directory).
    return (a, cwd) => ({ argv: sandboxedArgv(sandbox.bwrap, [...foreground, ...a], { hidden: sandbox.hidden, readable: sandbox.readable, writable: workDirs.filter((d) => existsSync(d)), cwd }, user), user });
  }

  /**
   * A program an earlier life of this runner started, still running in the PTY keeper (or
   * ended while nobody listened): taken back with what its start said, its terminal going on
   * from the last chunk that life published, its screen rebuilt from the output before it.
   */
  async adopt(kept: { pty: RemotePty; info: KeptSessionInfo; tail: Buffer }): Promise<void> {
    const meta = kept.info.meta as KeptMeta;
    const h = new HostedSession(meta.start, meta.startSeq);
    const { sessionId } = h;
    this.sessions.set(sessionId, h);
    this.latestStarts.set(sessionId, h.startSeq);
    h.workspaceDir = meta.workspaceDir;
    h.env = meta.env;
    h.submit = meta.submit;
    h.confine = this.confineFor(meta.workDirs);
    this.o.ports.hold(portOwner(h), meta.port);
    if (meta.tokenFile) {
      const token = await readFile(meta.tokenFile, 'utf8').then((t) => t.trim(), () => null);
      if (token) h.token = this.o.tokens?.keep(sessionId, meta.tokenFile, token) ?? null;
    }
    const mark = kept.info.mark;
    const last = mark ? { lastChunk: mark.chunk, lastOffsetMs: mark.offsetMs + Math.max(0, Date.now() - (mark.at ?? Date.now())) } : (meta.start.terminal ?? null);
    this.run(h, kept.pty, last, kept.tail);
    this.o.logger.warn({ sessionId, pid: kept.pty.pid, fromChunk: last ? last.lastChunk + 1 : 0, exited: kept.info.exit !== null }, 'took back a session an earlier life of this runner started');
    // Said again (the same report id): a session that moved away meanwhile is refused (409) and stopped here.
    this.reports.spawned(h, () => this.disown(h));
  }

  /** The running program's terminal: screen, patterns, pipeline to JetStream, and what happens at its exit. */
  private run(h: HostedSession, pty: PtyProcess, last: RunnerStart['terminal'] | null, screenTail?: Buffer): void {
    const { start, sessionId } = h;
    h.pty = pty;
    h.phase = 'running';
    const dialog = start.agent ? (adapterFor(start.agent.id)?.blockingDialog?.source ?? null) : null;
    h.patterns ??= new OutputPatterns(start.patterns, { dialog, onMatch: (m) => this.reports.match(h, m, () => this.disown(h)) });
    const screen = createScreen({ cols: start.size.cols, rows: start.size.rows, afterChunk: screenTail ? -1 : last ? last.lastChunk : -1 });
    if (screenTail) void screen.write(screenTail, last ? last.lastChunk : -1);
    h.screen = screen;
    pty.onData((data) => {
      h.lastOutputAt = new Date().toISOString();
      h.patterns?.push(data);
    });
    h.pipeline = startTerminalPipeline({
      broker: this.o.broker,
      sessionId,
      runnerId: this.o.runnerId,
      pty,
      screen,
      coalescer: last ? { firstIndex: last.lastChunk + 1, baseOffsetMs: last.lastOffsetMs + 1 } : undefined,
      publisher: { onError: (err, chunk) => this.o.logger.error({ err, sessionId, chunk: chunk.index }, 'terminal chunk dropped') },
      onChunk: pty instanceof RemotePty ? (chunk) => pty.marked(chunk.index, chunk.offsetMs, chunk.data.byteLength) : undefined,
    });
    void h.pipeline.finished.then(
      (exit) => this.onExit(h, exit),
      (err) => this.o.logger.error({ err, sessionId }, 'terminal pipeline failed'),
    );
    if (pty instanceof RemotePty) pty.deliver();
  }

  private async onExit(h: HostedSession, exit: PtyExit): Promise<void> {
    const { sessionId } = h;
    h.exit = exit;
    h.patterns?.end(); // last line's matches go out before the exit
    this.release(h);
    this.o.logger.info({ sessionId, ...exit, superseded: h.superseded }, 'session exited');
    if (h.superseded && h.pty instanceof RemotePty) h.pty.release();
    if (!h.superseded) {
      await this.o.repo.exited(sessionId, h.startSeq, exit.exitCode, exit.signal).catch((err) => this.o.logger.error({ err, sessionId }, 'could not record the exit'));
      // Recorded here: a restart reports it from the database, so the keeper may forget it.
      if (h.pty instanceof RemotePty) h.pty.release();
      // A fenced copy reports nothing: the session lives elsewhere now (nor is it re-sent after a restart).
      if (h.fenced) await this.o.repo.exitReported(sessionId, h.startSeq).catch(() => undefined);
      else this.reports.exit(h, exit);
    }
    // Whatever the session started that escaped its PTY's session (daemons, `setsid`, `nohup`) ends with it,
    // after its exit is reported — unless a newer start of the same session runs now (same id in its environment).
    if (!this.sessions.has(sessionId)) {
      const escaped = escapedMembers(sessionId, this.o.runnerKey);
      if (escaped.length) this.o.logger.info({ sessionId, pids: escaped }, 'stopping processes that left the session');
      await killPids(escaped, 2_000);
    }
    if (h.workspaceDir && h.env && !h.fenced) this.remember(sessionId, { workspaceDir: h.workspaceDir, script: h.start.cleanupScript, env: h.env, confine: h.confine });
    if (h.stopRequest?.cleanup && h.start.cleanupScript && h.workspaceDir && h.env) await this.cleanup(sessionId, h.workspaceDir, h.start.cleanupScript, h.env, h.confine);
    if (!this.sessions.has(sessionId)) await this.o.workspaces.release(h.start).catch((err) => this.o.logger.warn({ err, sessionId }, 'could not remove the check checkout'));
    h.screen?.dispose();
    h.finish();
  }

  private async cleanupAfterExit(stop: RunnerStop): Promise<void> {
    const recent = this.recent.get(stop.sessionId);
    if (!stop.cleanup || !recent?.script) {
      this.o.logger.debug({ sessionId: stop.sessionId }, 'stop for a session that is not running here');
      return;
    }
    this.recent.delete(stop.sessionId);
    await this.cleanup(stop.sessionId, recent.workspaceDir, recent.script, recent.env, recent.confine);
  }

  private cleanup(sessionId: string, cwd: string, script: string, env: Record<string, string>, confine: Confine): Promise<void> {
    return runCleanup({ cwd, script, env, timeoutMs: CLEANUP_TIMEOUT_MS, logger: this.o.logger, sessionId, confine });
  }

  /**
   * The session's token in a file of its own directory (0600, replaced whole), kept fresh while
   * this start runs: an agent's `baton` reads it before BATON_TOKEN, which cannot change under it.
   */
  private async keepToken(h: HostedSession, sessionDir: string): Promise<string | null> {
    const token = h.start.launch.env.BATON_TOKEN;
    if (!token) return null;
    const file = join(sessionDir, tokenFileName(h.startSeq));
    await writeTokenFile(file, token);
    h.token = this.o.tokens?.keep(h.sessionId, file, token) ?? null;
    return file;
  }

  /** Removes the start from what counts against capacity and frees its port; its token is no longer renewed. */
  private release(h: HostedSession): void {
    h.token?.stop({ removeFile: true });
    if (this.sessions.get(h.sessionId) === h) this.sessions.delete(h.sessionId);
    this.leaving.delete(h);
    this.o.ports.release(portOwner(h));
  }

  private supersede(old: HostedSession): void {
    this.o.logger.warn({ sessionId: old.sessionId, startSeq: old.startSeq }, 'a newer start replaces the running one');
    old.superseded = true;
    this.sessions.delete(old.sessionId);
    this.leaving.add(old);
    if (old.phase === 'preparing') old.cancel();
    else void old.pty?.kill('SIGTERM', DISOWN_GRACE_MS);
  }

  private disown(h: HostedSession): void {
    if (h.disowned || h.phase === 'exited') return;
    h.disowned = true;
    this.fence(h);
    if (h.phase === 'preparing') h.cancel();
    else void h.pty?.kill('SIGTERM', DISOWN_GRACE_MS);
  }

  /** This copy is no longer the session's: nothing more is reported, cleaned up or merged for it. */
  private fence(h: HostedSession): void {
    h.fenced = true;
    if (h.start.workspace.kind === 'attempt') this.fencedAttempts.add(h.start.workspace.attemptId);
  }

  isFencedAttempt(attemptId: string): boolean {
    return this.fencedAttempts.has(attemptId);
  }

  private refuse(start: RunnerStart, startSeq: number, error: string): void {
    this.o.logger.info({ sessionId: start.sessionId, error }, 'start refused');
    this.reports.spawnFailed(start.sessionId, startSeq, error, true, start);
  }

  private remember(sessionId: string, entry: RecentSession): void {
    this.recent.delete(sessionId);
    this.recent.set(sessionId, entry);
    if (this.recent.size > MAX_RECENT) this.recent.delete(this.recent.keys().next().value as string);
  }

  private checkCancelled(h: HostedSession): void {
    if (h.cancelled) throw new LaunchError('stopped before it ran');
  }
}

/** A command session's HOME: in its session dir, kept across its restarts. */
async function commandSessionHome(sessionDir: string): Promise<string> {
  const home = join(sessionDir, 'home');
  await mkdir(home, { recursive: true, mode: 0o700 });
  return home;
}

/**
 * The dirs of `workDirs` that lie in a shared workspace (compared resolved: git names its dirs by
 * their real path), handed over by `SharedDirs` as that workspace; the rest are the session's own.
 */
async function splitShared(workDirs: readonly string[], sharedDirs: readonly string[]): Promise<{ own: string[]; shared: string[] }> {
  const real = (d: string) => realpath(d).catch(() => d);
  const roots = await Promise.all(sharedDirs.map(async (dir) => ({ dir, real: await real(dir) })));
  const own: string[] = [];
  const shared = new Set<string>();
  for (const d of workDirs) {
    const r = await real(d);
    const root = roots.find((s) => r === s.real || r.startsWith(`${s.real}/`));
    if (root) shared.add(root.dir);
    else own.push(d);
  }
  return { own, shared: [...shared] };
}

const portOwner = (h: HostedSession) => `${h.sessionId}:${h.startSeq}`;

function describe(e: unknown): string {
  if (e instanceof LaunchError || e instanceof PtySpawnError || e instanceof UnsafePathError || e instanceof NoFreePortError) return e.message;
  return e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
}
