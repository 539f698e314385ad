import { Kvm, type KV } from '@nats-io/kv';
import { agentTokenRevocationsBucket } from '@baton/agent-auth';
import type { DomainEvent, RecordedEvent } from '@baton/events';
import type { Reactor } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { resolveTemplate } from '../read-models/session-templates/templates.queries';
import { UsageRowEntity } from '../read-models/session-usage/usage-row.entity';
import type { Spend } from '../usage/budget';
import { budgetReactor, type BudgetContext } from './budget.reactor';
import { attemptReactor, lifecycleReactor, seatReactor, stackReactor } from './session.reactors';
import { mergeDirective, outputTail, plannerReactor, trainCheckReactor, trainCheckVerdict, trainFollowUpReactor, trainStepDirective } from './autopilot.reactors';
import { readTerminal } from '../export/export.queries';
import { placedRunners } from '../session/placed-runners';
import { SessionRowEntity } from '../read-models/sessions/session-row.entity';
import { publishToRunner } from '../runtime/runner-publish';

export interface ReactorOptions {
  /** Task and project budgets (configured in the tasks service); absent: only sessions' own budgets apply. */
  budgets?: (projectId: string, taskId: string | null) => Promise<ReturnType<BudgetContext['budgets']>>;
}

async function spend(read: ReadSide, projectId: string, taskId: string | null): Promise<{ task: Spend; project: Spend }> {
  const sum = async (where: string, params: Record<string, string>) => {
    const raw = await read.db
      .getRepository(UsageRowEntity)
      .createQueryBuilder('u')
      .select('COALESCE(SUM(u.cost_usd), 0)', 'cost')
      .addSelect('COALESCE(SUM(u.input_tokens + u.output_tokens + u.cache_read_tokens + u.cache_write_tokens), 0)', 'tokens')
      .where(where, params)
      .getRawOne<{ cost: string; tokens: string }>();
    return { costUsd: Number(raw?.cost ?? 0), tokens: Number(raw?.tokens ?? 0) };
  };
  const project = await sum('u.project_id = :projectId', { projectId });
  const task = taskId ? await sum('u.project_id = :projectId AND u.task_id = :taskId', { projectId, taskId }) : { costUsd: 0, tokens: 0 };
  return { task, project };
}

/** The pure reactors, fed by the read side where they need a lookup. */
export function sessionsReactors(read: ReadSide, opts: ReactorOptions = {}): Reactor[] {
  // Opened once (not per ended session); a failed open is tried again on the next event.
  let endedKv: Promise<KV> | null = null;
  const endedSessions = () =>
    (endedKv ??= new Kvm(read.broker.js).open(agentTokenRevocationsBucket(read.broker.names.namespace)).catch((e: unknown) => {
      endedKv = null;
      throw e;
    }));
  /**
   * The runner that last ran a session of the attempt: its worktree and branch are there. The
   * attempt's sessions ran long before a merge is asked for, so the read model is asked at once;
   * only when it knows none yet does it wait to have caught up with the event (under load the
   * wait was most of a merge-train step).
   */
  const runnerOfAttempt = async (event: RecordedEvent<DomainEvent>, attemptId: string): Promise<string | null> => {
    const latest = async () => {
      const row = await read.db
        .getRepository(SessionRowEntity)
        .createQueryBuilder('s')
        .where('s.attempt_id = :attemptId', { attemptId })
        .andWhere('COALESCE(s.runner_id, s.last_runner_id) IS NOT NULL')
        .orderBy('s.created_at', 'DESC')
        .getOne();
      return row ? (row.runnerId ?? row.lastRunnerId) : null;
    };
    const known = await latest();
    if (known) return known;
    await read.waitFor(event.position.seq);
    return latest();
  };
  const reactors: Reactor[] = [
    {
      name: 'attempts',
      react: async (event: RecordedEvent<DomainEvent>) => {
        if (event.type !== 'project.task_attempt_started' || !event.data.sessionTemplateId) return attemptReactor(event, { templateFor: () => null });
        // The template was defined before the attempt started: the read model must have caught up to see it.
        await read.waitFor(event.position.seq);
        const snapshot = await resolveTemplate(read, event.data.sessionTemplateId, event.aggregate.id);
        return attemptReactor(event, { templateFor: () => snapshot });
      },
    },
    {
      name: 'planner',
      react: async (event: RecordedEvent<DomainEvent>) => {
        if (event.type !== 'project.task_planning_started') return [];
        await read.waitFor(event.position.seq);
        const snapshot = await resolveTemplate(read, event.data.plannerTemplateId, event.aggregate.id);
        return plannerReactor(event, { templateFor: () => snapshot });
      },
    },
    {
      // The one reaction that messages a runner instead of sending a command: the message id
      // derives from the event, so a redelivery publishes nothing twice.
      name: 'autopilot-merge',
      react: async (event: RecordedEvent<DomainEvent>) => {
        if (event.type !== 'project.autopilot_merge_requested') return [];
        const directive = mergeDirective(event, await runnerOfAttempt(event, event.data.attemptId));
        if (!directive) return [];
        if (directive.kind === 'command') return [directive.command];
        await publishToRunner(read.broker, { type: 'merge', runnerId: directive.runnerId, data: directive.data }, directive.msgId);
        return [];
      },
    },
    {
      // The merge train's steps go to the runner holding the car's branch, the same way.
      name: 'merge-train',
      react: async (event: RecordedEvent<DomainEvent>) => {
        if (event.type !== 'project.merge_train_step_requested') return [];
        const cars = event.data.step === 'build' ? event.data.cars : [event.data.car];
        const runners = new Map(await Promise.all(cars.map(async (c) => [c.attemptId, await runnerOfAttempt(event, c.attemptId)] as const)));
        const directive = trainStepDirective(event, runners);
        if (!directive) return [];
        if (directive.kind === 'command') return [directive.command];
        await publishToRunner(read.broker, { type: 'train', runnerId: directive.runnerId, data: directive.data }, directive.msgId);
        return [];
      },
    },
    { name: 'merge-train-check', react: (event) => trainCheckReactor(event) },
    { name: 'merge-train-follow-up', react: (event) => trainFollowUpReactor(event) },
    {
      // A check's verdict carries the end of its output, read from its terminal stream.
      name: 'merge-train-check-end',
      react: async (event: RecordedEvent<DomainEvent>) => {
        if (event.type !== 'session.ended' || event.data.origin.kind !== 'merge_check') return [];
        const events = (await read.store.load({ type: 'session', id: event.aggregate.id })).events;
        const frames = await readTerminal(read.broker, event.aggregate.id, placedRunners(events)).catch(() => []);
        const text = Buffer.concat(frames.map((f) => Buffer.from(f.data))).toString('utf8');
        return trainCheckVerdict(event, outputTail(text));
      },
    },
    {
      // A session's token ends with it: the gateway refuses tokens of sessions in this bucket.
      // The bucket is the background's to make (with the installation's replicas): opened here.
      name: 'token-revocation',
      react: async (event: RecordedEvent<DomainEvent>) => {
        if (event.type !== 'session.ended') return [];
        await (await endedSessions()).put(event.aggregate.id, event.occurredAt);
        return [];
      },
    },
    { name: 'seat', react: (event) => seatReactor(event) },
    { name: 'lifecycle', react: (event) => lifecycleReactor(event) },
    { name: 'stack', react: (event) => stackReactor(event) },
  ];
  const budgets = opts.budgets;
  if (budgets) {
    reactors.push({
      name: 'budget',
      react: async (event) => {
        if (event.type !== 'session.usage_reported') return [];
        await read.waitFor(event.position.seq);
        const { projectId, taskId } = event.data;
        const [limits, spent] = await Promise.all([budgets(projectId, taskId), spend(read, projectId, taskId)]);
        return budgetReactor(event, { budgets: () => limits, spent: () => spent });
      },
    });
  }
  return reactors;
}
