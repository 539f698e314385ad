import type { AggregateType } from './envelope';
import type { ServiceName } from './define';

const NAMESPACE = /^[a-z][a-z0-9_]{0,31}$/;

/**
 * Every stream, subject root, KV bucket and Postgres schema name derives from one
 * namespace, so test runs and several installations share a broker and a database.
 */
export interface Names {
  namespace: string;
  streams: { events: string; commands: string; terminal: string };
  kv: { runners: string; commandResults: string };
  evt(aggregate: AggregateType, id: string): string;
  evtAggregate(aggregate: AggregateType): string;
  evtAll: string;
  cmd(service: ServiceName, type: string): string;
  cmdService(service: ServiceName): string;
  cmdRunner(runnerId: string, type: string): string;
  cmdRunnerAll(runnerId: string): string;
  qry(service: string, query: string): string;
  qryService(service: string): string;
  /**
   * A session's terminal output as written by one runner. A runner's NATS user may publish
   * `<ns>.term.*.<its id>` only, and readers take a session's chunks only from the runners
   * that hosted it (issue #12): a runner cannot write into another session's terminal.
   */
  term(sessionId: string, runnerId: string): string;
  /** Every runner's output of one session: read it, then keep the chunks of the session's runners. */
  termOfSession(sessionId: string): string;
  termOfRunner(runnerId: string): string;
  termAll: string;
  /**
   * Keystrokes for a session's PTY on core NATS, addressed to the runner that hosts it: a
   * runner's NATS user may listen to its own `<ns>.input.<runnerId>.*` only (issue #12).
   */
  input(runnerId: string, sessionId: string): string;
  inputOfRunner(runnerId: string): string;
  /** Terminal size changes for a session's PTY on core NATS (`{"cols":…,"rows":…}`), addressed like `input`. */
  resize(runnerId: string, sessionId: string): string;
  resizeOfRunner(runnerId: string): string;
  /** Every resize of one session, whichever runner it went to (gateways keep their mirrors at the PTY's size). */
  resizeOfSession(sessionId: string): string;
  /** A runner asks the sessions service for a fresh token of a session it hosts (core NATS request/reply, decision 0024). */
  agentToken(runnerId: string): string;
  agentTokenAll: string;
  pgSchema(service: string): string;
}

export function names(namespace = 'baton'): Names {
  if (!NAMESPACE.test(namespace)) {
    throw new Error(`namespace "${namespace}" must match ${NAMESPACE} (lower case, digits, "_")`);
  }
  const ns = namespace;
  const up = ns.toUpperCase();
  return {
    namespace: ns,
    streams: { events: `${up}_EVENTS`, commands: `${up}_COMMANDS`, terminal: `${up}_TERMINAL` },
    kv: { runners: `${ns}_runners`, commandResults: `${ns}_command_results` },
    evt: (aggregate, id) => `${ns}.evt.${aggregate}.${id}`,
    evtAggregate: (aggregate) => `${ns}.evt.${aggregate}.*`,
    evtAll: `${ns}.evt.>`,
    cmd: (service, type) => `${ns}.cmd.${service}.${type}`,
    cmdService: (service) => `${ns}.cmd.${service}.>`,
    cmdRunner: (runnerId, type) => `${ns}.cmd.runner.${runnerId}.${type}`,
    cmdRunnerAll: (runnerId) => `${ns}.cmd.runner.${runnerId}.>`,
    qry: (service, query) => `${ns}.qry.${service}.${query}`,
    qryService: (service) => `${ns}.qry.${service}.>`,
    term: (sessionId, runnerId) => `${ns}.term.${sessionId}.${runnerId}`,
    termOfSession: (sessionId) => `${ns}.term.${sessionId}.*`,
    termOfRunner: (runnerId) => `${ns}.term.*.${runnerId}`,
    termAll: `${ns}.term.>`,
    input: (runnerId, sessionId) => `${ns}.input.${runnerId}.${sessionId}`,
    inputOfRunner: (runnerId) => `${ns}.input.${runnerId}.*`,
    resize: (runnerId, sessionId) => `${ns}.resize.${runnerId}.${sessionId}`,
    resizeOfRunner: (runnerId) => `${ns}.resize.${runnerId}.*`,
    resizeOfSession: (sessionId) => `${ns}.resize.*.${sessionId}`,
    agentToken: (runnerId) => `${ns}.agent_token.${runnerId}`,
    agentTokenAll: `${ns}.agent_token.*`,
    // The default installation keeps DESIGN's plain schema names (tasks, sessions, runner).
    pgSchema: (service) => (ns === 'baton' ? service : `${ns}_${service}`),
  };
}
