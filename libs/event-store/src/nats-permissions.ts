import {
  names,
  RecordAttemptWorkspace,
  RecordAutopilotMerge,
  RecordTrainBuild,
  RecordTrainLand,
  RecordOutputMatch,
  RecordSessionExit,
  RecordSessionSpawned,
  RecordSessionSpawnFailed,
  RegisterRunner,
  type CommandDefinition,
} from '@baton/events';
import { runnerCommandSubject } from './command-subject';

/**
 * Who may do what on NATS (issue #12, docs/decisions/0025-nats-credentials-per-role.md).
 *
 * A runner hosts agents — untrusted code — so its credentials are the ones most likely to
 * leak. It gets exactly what a runner does, for its own id only: take its directed commands,
 * publish terminal output and the reports it sends (record_* commands, on `….from.<its id>`:
 * command-subject.ts), keep its heartbeat, receive the input addressed to it, ask for its
 * sessions' token renewals. It cannot read the event log, send
 * any other command, create or change streams, read the sessions service's bucket (the
 * agent-token secret) or listen on another connection's replies (its inbox prefix is its own).
 *
 * The services (gateway, tasks, sessions) keep the whole subject space, but only the sessions
 * service may read its bucket: the gateway verifies session tokens with the public key the
 * sessions service publishes elsewhere (`<ns>_agent_token_keys`), never with the secret.
 */

export type NatsRole = 'gateway' | 'tasks' | 'sessions' | 'runner';

export interface NatsPermissions {
  publish: { allow?: string[]; deny?: string[] };
  subscribe: { allow?: string[]; deny?: string[] };
}

export interface NatsUser {
  user: string;
  /** The password itself, or `$NAME`: nats-server then takes it from its environment variable NAME (deploy files). */
  password: string;
  role: NatsRole;
  /** For role `runner`: the one runner these credentials are for. */
  runnerId?: string;
}

const ENV_REFERENCE = /^\$[A-Z][A-Z0-9_]*$/;

/** Runner ids become subject tokens: no dots, wildcards or spaces (apps/runner/src/config.ts). */
const SUBJECT_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/** The reply prefix a runner's connection uses: only this runner may subscribe under it. */
export function runnerInboxPrefix(runnerId: string): string {
  assertToken(runnerId);
  return `_INBOX_${runnerId}`;
}

/** The KV bucket of the sessions service's own settings, where the generated agent-token secret is kept. */
export const sessionsSettingsBucket = (namespace: string) => `${namespace}_sessions`;

/** The commands a runner sends (apps/runner: reporter, session host, worktrees, autopilot merge, merge-train steps): nothing else. */
export const RUNNER_COMMANDS: readonly CommandDefinition[] = [
  RegisterRunner,
  RecordSessionSpawned,
  RecordSessionSpawnFailed,
  RecordOutputMatch,
  RecordSessionExit,
  RecordAttemptWorkspace,
  RecordAutopilotMerge,
  RecordTrainBuild,
  RecordTrainLand,
];

export function natsPermissions(namespace: string, role: NatsRole, runnerId?: string): NatsPermissions {
  const n = names(namespace);
  const secretBucket = sessionsSettingsBucket(namespace);
  // Everything through which the sessions bucket's values could be read or changed.
  const secretSubjects = [`$KV.${secretBucket}.>`, `$JS.API.DIRECT.GET.KV_${secretBucket}`, `$JS.API.DIRECT.GET.KV_${secretBucket}.>`, `$JS.API.STREAM.MSG.GET.KV_${secretBucket}`, `$JS.API.CONSUMER.*.KV_${secretBucket}.>`, `$JS.API.CONSUMER.*.KV_${secretBucket}`, `$JS.API.STREAM.*.KV_${secretBucket}`];
  switch (role) {
    case 'sessions':
      return { publish: { allow: ['>'] }, subscribe: { allow: ['>'] } };
    case 'gateway':
    case 'tasks':
      return { publish: { allow: ['>'], deny: secretSubjects }, subscribe: { allow: ['>'], deny: [`$KV.${secretBucket}.>`] } };
    case 'runner': {
      if (!runnerId) throw new Error('a runner user needs its runnerId');
      assertToken(runnerId);
      const consumer = `runner-${runnerId}`;
      const { commands } = n.streams;
      const heartbeats = `KV_${n.kv.runners}`;
      const results = `KV_${n.kv.commandResults}`;
      return {
        publish: {
          allow: [
            // JetStream: look streams up (never create or change them) and work its own durable consumer.
            '$JS.API.INFO',
            '$JS.API.STREAM.INFO.*',
            `$JS.API.CONSUMER.CREATE.${commands}.${consumer}`,
            `$JS.API.CONSUMER.CREATE.${commands}.${consumer}.>`,
            `$JS.API.CONSUMER.DURABLE.CREATE.${commands}.${consumer}`,
            `$JS.API.CONSUMER.INFO.${commands}.${consumer}`,
            `$JS.API.CONSUMER.MSG.NEXT.${commands}.${consumer}`,
            `$JS.ACK.${commands}.${consumer}.>`,
            // Its sessions' terminals, under its own id (readers take a session's chunks only from
            // runners it was placed on). It never reads the log back: a start says where a terminal stands.
            n.termOfRunner(runnerId),
            // Its reports, and the answers it looks up when a report's reply was lost.
            ...RUNNER_COMMANDS.map((def) => runnerCommandSubject(n, def.service, def.type, runnerId)),
            `$JS.API.DIRECT.GET.${results}`,
            `$JS.API.DIRECT.GET.${results}.>`,
            `$JS.API.STREAM.MSG.GET.${results}`,
            // Its heartbeat, under its own key only.
            `$KV.${n.kv.runners}.${runnerId}`,
            `$JS.API.DIRECT.GET.${heartbeats}`,
            `$JS.API.DIRECT.GET.${heartbeats}.$KV.${n.kv.runners}.${runnerId}`,
            `$JS.API.STREAM.MSG.GET.${heartbeats}`,
            // Renewed tokens for the sessions it runs.
            n.agentToken(runnerId),
          ],
        },
        subscribe: {
          // Keystrokes and sizes addressed to it: never another runner's sessions' typing.
          allow: [`${runnerInboxPrefix(runnerId)}.>`, n.inputOfRunner(runnerId), n.resizeOfRunner(runnerId)],
        },
      };
    }
  }
}

/**
 * The `authorization` block of a nats-server config for these users (nats-server reads JSON
 * inside its config syntax). Passwords are written as given: keep the file 0600.
 */
export function natsAuthorizationConfig(namespace: string, users: NatsUser[]): string {
  const seen = new Set<string>();
  const entries = users.map((u) => {
    if (!SUBJECT_TOKEN.test(u.user)) throw new Error(`NATS user "${u.user}" must be 1-64 letters, digits, "_" or "-"`);
    if (seen.has(u.user)) throw new Error(`NATS user "${u.user}" is listed twice`);
    seen.add(u.user);
    const fromEnv = ENV_REFERENCE.test(u.password);
    if (!fromEnv && (u.password.length < 16 || /["\\\s$]/.test(u.password))) throw new Error(`NATS user "${u.user}" needs a password of 16+ characters without quotes, backslashes, spaces or "$"`);
    return { user: u.user, password: u.password, permissions: natsPermissions(namespace, u.role, u.runnerId) };
  });
  // nats-server substitutes a variable only when it stands unquoted.
  const json = JSON.stringify({ users: entries }, null, 2).replace(/"password": "(\$[A-Z][A-Z0-9_]*)"/g, '"password": $1');
  return `authorization ${json}\n`;
}

function assertToken(runnerId: string): void {
  if (!SUBJECT_TOKEN.test(runnerId)) throw new Error(`runner id "${runnerId}" must be 1-64 letters, digits, "_" or "-"`);
}

/**
 * A deploy file's users (namespace `baton`): the three services, each with its password from
 * the NATS server's environment (BATON_NATS_<SERVICE>_PASSWORD), and the given runners.
 */
function deployNatsAuthorization(runners: NatsUser[]): string {
  const header = '# Generated by scripts/deploy-nats-authorization.js from libs/event-store/src/nats-permissions.ts: do not edit.\n';
  const services = (['gateway', 'tasks', 'sessions'] as const).map((role) => ({ user: role, password: `$BATON_NATS_${role.toUpperCase()}_PASSWORD`, role }));
  return header + natsAuthorizationConfig('baton', [...services, ...runners]);
}

/** docker-compose.yml's users: the services and its one runner (`runner-1`, BATON_NATS_RUNNER_PASSWORD). */
export function composeNatsAuthorization(): string {
  return deployNatsAuthorization([{ user: 'runner-runner-1', password: '$BATON_NATS_RUNNER_PASSWORD', role: 'runner', runnerId: 'runner-1' }]);
}

/** How many runner pods (`baton-runner-0` …) the Kubernetes NATS users cover: scale beyond it and a new runner is refused. */
export const K8S_RUNNER_SLOTS = 16;

/**
 * deploy/k8s's users: the services and one runner per StatefulSet ordinal
 * (`runner-baton-runner-<i>`, BATON_NATS_RUNNER_<i>_PASSWORD; Secret `baton-nats`).
 */
export function k8sNatsAuthorization(slots = K8S_RUNNER_SLOTS): string {
  return deployNatsAuthorization(
    Array.from({ length: slots }, (_, i) => ({ user: `runner-baton-runner-${i}`, password: `$BATON_NATS_RUNNER_${i}_PASSWORD`, role: 'runner' as const, runnerId: `baton-runner-${i}` })),
  );
}
