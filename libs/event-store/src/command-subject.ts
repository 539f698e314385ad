import type { Actor, CommandEnvelope, Names, ServiceName } from '@baton/events';

/**
 * What a command's subject says about who sent it (issue #12, docs/decisions/0025).
 *
 * NATS permissions are granted per subject, so the subject is the only thing about a
 * command that the broker vouches for: the body is whatever the publisher wrote. A command
 * is therefore taken only when its body agrees with its subject —
 *   `<ns>.cmd.<service>.<type>`                     from a service (trusted callers), or
 *   `<ns>.cmd.<service>.<type>.from.<runnerId>`     from a runner, the only subjects a
 *                                                   runner's credentials may publish to.
 * A runner's command must name that runner as its actor (`runner:<id>`) and, when its data
 * has a `runnerId`, that same runner: a leaked runner password can then report only as its
 * own runner, and the deciders check that runner against the session's placement. Its
 * command ids carry its actor's scope too, so its results are recorded under its own keys.
 */
export const FROM_RUNNER = 'from';

export function runnerActor(runnerId: string): Actor {
  return { kind: 'system', id: `runner:${runnerId}` };
}

/** The subject a runner publishes `type` on. */
export function runnerCommandSubject(names: Names, service: ServiceName, type: string, runnerId: string): string {
  return `${names.cmd(service, type)}.${FROM_RUNNER}.${runnerId}`;
}

export type SubjectVerdict = { ok: true; runnerId: string | null } | { ok: false; reason: string };

export function commandSubjectVerdict(names: Names, service: ServiceName, subject: string, command: Pick<CommandEnvelope, 'id' | 'type' | 'actor' | 'data'>): SubjectVerdict {
  const plain = names.cmd(service, command.type);
  if (subject === plain) return { ok: true, runnerId: null };
  const prefix = `${plain}.${FROM_RUNNER}.`;
  const runnerId = subject.startsWith(prefix) ? subject.slice(prefix.length) : null;
  if (!runnerId || runnerId.includes('.')) return { ok: false, reason: `a ${command.type} command must be sent on ${plain}, not ${subject}` };
  const actor = runnerActor(runnerId);
  if (command.actor.kind !== actor.kind || command.actor.id !== actor.id) {
    return { ok: false, reason: `a command from runner ${runnerId} must have actor ${actor.id}, not ${command.actor.kind}:${command.actor.id}` };
  }
  // Its results are recorded under its id: a runner's ids are its own (the bus scopes keys by actor).
  const scope = `${actor.kind}:${actor.id}:`;
  if (!command.id.startsWith(scope)) return { ok: false, reason: `a command from runner ${runnerId} must have an id starting ${scope}` };
  const claimed = (command.data as { runnerId?: unknown } | null)?.runnerId;
  if (claimed !== undefined && claimed !== null && claimed !== runnerId) {
    return { ok: false, reason: `runner ${runnerId} may not report for runner ${String(claimed)}` };
  }
  return { ok: true, runnerId };
}
