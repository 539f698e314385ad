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
  term(sessionId: string): string;
  termAll: string;
  input(sessionId: string): string;
  /** Terminal size changes for a session's PTY on core NATS (`{"cols":…,"rows":…}`). */
  resize(sessionId: string): string;
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
    term: (sessionId) => `${ns}.term.${sessionId}`,
    termAll: `${ns}.term.>`,
    input: (sessionId) => `${ns}.input.${sessionId}`,
    resize: (sessionId) => `${ns}.resize.${sessionId}`,
    agentToken: (runnerId) => `${ns}.agent_token.${runnerId}`,
    agentTokenAll: `${ns}.agent_token.*`,
    // The default installation keeps DESIGN's plain schema names (tasks, sessions, runner).
    pgSchema: (service) => (ns === 'baton' ? service : `${ns}_${service}`),
  };
}
