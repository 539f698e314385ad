import {
  SessionTemplateSpecSchema,
  type CommandDataOf,
  type CommandEnvelope,
  type DomainEvent,
  type FollowUpInAttempt,
  type RecordAutopilotMerge,
  type RecordPlannerEnd,
  type RecordTrainBuild,
  type RecordTrainCheck,
  type RecordTrainLand,
  type RunnerMerge,
  type RunnerTrain,
  type SpawnSession,
  type TemplateSnapshot,
} from '@baton/events';
import { safeText } from '@baton/contracts';
import { builtinSnapshot } from '../session-template/builtin-templates';
import { commandsFor } from './session.reactors';

/** What the planner reaction looks up: the template snapshot a planner runs. */
export interface PlannerContext {
  templateFor(projectId: string, templateId: string): TemplateSnapshot | null;
}

/**
 * `task.decompose` → the planner session: a `planner` role (its token may create subtasks
 * under its task and record the plan), on the project's checkout, with the task as its
 * only task. Without its template the planning ends at once, with the reason.
 */
export function plannerReactor(event: DomainEvent, ctx: PlannerContext): CommandEnvelope[] {
  if (event.type !== 'project.task_planning_started') return [];
  const projectId = event.aggregate.id;
  const { taskId, sessionId, plannerTemplateId, depth } = event.data;
  const template = ctx.templateFor(projectId, plannerTemplateId);
  if (!template) {
    const data: CommandDataOf<typeof RecordPlannerEnd> = { projectId, taskId, sessionId, status: 'failed', reason: `planner template ${plannerTemplateId} does not exist` };
    return commandsFor(event, [{ type: 'task.record_planner_end', data }]);
  }
  const data: CommandDataOf<typeof SpawnSession> = {
    sessionId,
    projectId,
    templateId: plannerTemplateId,
    template,
    permissionMode: 'auto',
    taskIds: [taskId],
    strategy: 'simple',
    role: 'planner',
    parentSessionId: null,
    name: 'planner',
    runnerLabels: {},
    budget: null,
    prompt: null,
    origin: { kind: 'planner', taskId, depth },
  };
  return commandsFor(event, [{ type: 'session.spawn', data }]);
}

export type MergeDirective = { kind: 'message'; runnerId: string; msgId: string; data: RunnerMerge } | { kind: 'command'; command: CommandEnvelope };

/**
 * `project.autopilot_merge_requested` → the runner that last ran the attempt (its worktree
 * and branch are there) gets a `merge` message; with no such runner the merge fails at
 * once, which the autopilot turns into a needs-input.
 */
export function mergeDirective(event: DomainEvent, runnerOfAttempt: string | null): MergeDirective | null {
  if (event.type !== 'project.autopilot_merge_requested') return null;
  const projectId = event.aggregate.id;
  const { taskId, attemptId, branch, into } = event.data;
  if (!runnerOfAttempt) {
    const data: CommandDataOf<typeof RecordAutopilotMerge> = { projectId, taskId, attemptId, into, outcome: 'failed', message: `no runner ever ran attempt ${attemptId}: its branch ${branch} is nowhere to merge from` };
    return { kind: 'command', command: commandsFor(event, [{ type: 'autopilot.record_merge', data }])[0] };
  }
  return {
    kind: 'message',
    runnerId: runnerOfAttempt,
    msgId: `merge-${event.id}`,
    data: { projectId, taskId, attemptId, branch, into, strategy: 'squash', message: `baton autopilot: ${branch} (task ${taskId})` },
  };
}

/* ---- the merge train (docs/decisions/0030) ---- */

export type TrainDirective = { kind: 'message'; runnerId: string; msgId: string; data: RunnerTrain } | { kind: 'command'; command: CommandEnvelope };

/**
 * A train step → the runner that last ran the cars' attempts (their branches are there): a build
 * goes with the longest run of its cars on the first car's runner (the rest are asked for once
 * those are built), landing only if that run is all of them. With no runner for the first car its
 * build fails at once (a person is asked).
 */
export function trainStepDirective(event: DomainEvent, runnerOf: ReadonlyMap<string, string | null>): TrainDirective | null {
  if (event.type !== 'project.merge_train_step_requested') return null;
  const projectId = event.aggregate.id;
  const d = event.data;
  const step = { projectId, target: d.target, batchId: d.batchId };
  const fail = (command: { type: string; data: unknown }): TrainDirective => ({ kind: 'command', command: commandsFor(event, [command])[0] });
  const nowhere = (attemptId: string, branch: string) => `no runner ever ran attempt ${attemptId}: its branch ${branch} is nowhere to take from`;
  if (d.step === 'build') {
    const [first] = d.cars;
    const runnerId = runnerOf.get(first.attemptId) ?? null;
    if (!runnerId) {
      const data: CommandDataOf<typeof RecordTrainBuild> = { ...step, cars: [{ attemptId: first.attemptId, outcome: 'failed', message: nowhere(first.attemptId, first.branch) }], landing: null };
      return fail({ type: 'merge_train.record_build', data });
    }
    const run = d.cars.findIndex((c) => runnerOf.get(c.attemptId) !== runnerId);
    const cars = run === -1 ? d.cars : d.cars.slice(0, run);
    const data: RunnerTrain = { step: 'build', ...step, cars, onto: d.onto, integration: d.integration, land: d.land && cars.length === d.cars.length };
    return { kind: 'message', runnerId, msgId: `train-${event.id}`, data };
  }
  const runnerId = runnerOf.get(d.car.attemptId) ?? null;
  if (!runnerId) {
    const data: CommandDataOf<typeof RecordTrainLand> = { ...step, outcome: 'failed', message: nowhere(d.car.attemptId, d.car.branch) };
    return fail({ type: 'merge_train.record_land', data });
  }
  return { kind: 'message', runnerId, msgId: `train-${event.id}`, data: { step: 'land', ...step, car: d.car, commit: d.commit, base: d.base } };
}

/** The check of a batch: a command session in a checkout of the batch's result, like any session (sandboxed, watched, replayable). */
export function trainCheckReactor(event: DomainEvent): CommandEnvelope[] {
  if (event.type !== 'project.merge_train_check_started') return [];
  const projectId = event.aggregate.id;
  const { target, batchId, sessionId, commit, command, timeoutSeconds } = event.data;
  const data: CommandDataOf<typeof SpawnSession> = {
    sessionId,
    projectId,
    templateId: 'merge-train-check',
    template: checkTemplate(command, timeoutSeconds),
    permissionMode: null,
    taskIds: [],
    strategy: 'simple',
    role: 'worker',
    parentSessionId: null,
    name: `check ${target} batch ${batchId.slice(0, 10)}`,
    runnerLabels: {},
    budget: null,
    prompt: null,
    origin: { kind: 'merge_check', target, batchId, commit },
  };
  return commandsFor(event, [{ type: 'session.spawn', data }]);
}

/** A car sent back to its agent: a follow-up in its attempt (a new session like the last resumes the conversation). */
export function trainFollowUpReactor(event: DomainEvent): CommandEnvelope[] {
  if (event.type !== 'project.merge_train_car_returned' || event.data.toPerson) return [];
  const { taskId, attemptId } = event.data;
  const data: CommandDataOf<typeof FollowUpInAttempt> = { attemptId, taskId, text: trainFollowUp(event.data), kind: 'follow_up', newSession: null, likeLast: { sessionId: event.id } };
  return commandsFor(event, [{ type: 'session.follow_up', data }]);
}

/**
 * What the agent is told. It names the exact git steps because its worktree shares the runner's
 * copy of the repository, where the train has just brought `target` up to date.
 */
export function trainFollowUp(d: { branch: string; target: string; why: 'conflict' | 'check_failed' | 'failed'; files: string[]; checkSessionId: string | null; message: string; round: number }): string {
  const lines =
    d.why === 'conflict'
      ? [
          `Baton's merge train could not put your branch ${d.branch} on ${d.target}: it conflicts with what landed there since you started, in ${d.files.length === 1 ? 'this file' : 'these files'}:`,
          ...d.files.slice(0, 50).map((f) => `  - ${f}`),
          '',
          `Bring ${d.target} into your branch and resolve the conflicts: run \`git merge ${d.target}\`, fix each conflicted file keeping the intent of both sides, \`git add\` them and \`git commit\`.`,
        ]
      : [
          `Baton's merge train put your branch ${d.branch} on ${d.target} and the project's check failed${d.checkSessionId ? ` (session ${d.checkSessionId})` : ''}:`,
          '',
          d.message,
          '',
          `Fix it on your branch (the check runs on ${d.target} with your changes on top) and commit.`,
        ];
  return [...lines, '', `When you are done, finish as usual: your branch joins the train again (fix round ${d.round}).`].join('\n').slice(0, 100_000);
}

/**
 * A check session ended: its exit code is the verdict (a stop or a timeout fails it), and the
 * last lines of its output go with it — to the agent that has to fix it, and to a person.
 */
export function trainCheckVerdict(event: DomainEvent, outputTail: string): CommandEnvelope[] {
  if (event.type !== 'session.ended' || event.data.origin.kind !== 'merge_check') return [];
  const d = event.data;
  const origin = event.data.origin;
  const passed = d.exitCode === 0 && d.status !== 'stopped' && d.status !== 'failed';
  const how = d.exitCode !== null ? `exit code ${d.exitCode}` : `${d.status}${d.reason ? `: ${d.reason}` : ''}`;
  const tail = outputTail.trim();
  const summary = passed || !tail ? how : `${how}; the end of its output:\n${tail}`;
  const data: CommandDataOf<typeof RecordTrainCheck> = {
    projectId: d.projectId,
    target: origin.target,
    batchId: origin.batchId,
    sessionId: event.aggregate.id,
    passed,
    summary: summary.slice(0, 1_900),
  };
  return commandsFor(event, [{ type: 'merge_train.record_check', data }]);
}

/** The last `maxLines` lines of a terminal's text (escape sequences and controls gone), at most `maxChars`. */
export function outputTail(text: string, maxLines = 30, maxChars = 1_400): string {
  const lines = safeText(text, { multiline: true }).split('\n').map((l) => l.trimEnd());
  while (lines.length && !lines[lines.length - 1]) lines.pop();
  let tail = lines.slice(-maxLines).join('\n');
  if (tail.length > maxChars) tail = `…${tail.slice(-maxChars)}`;
  return tail;
}

/** The check's template: `sh -c <command>` under `timeout`, never restarted; its exit code is the verdict. */
export function checkTemplate(command: string, timeoutSeconds: number): TemplateSnapshot {
  const spec = builtinSnapshot('shell')!.spec;
  return {
    version: 1,
    builtIn: true,
    spec: SessionTemplateSpecSchema.parse({
      ...spec,
      name: 'Merge train check',
      description: 'The project\'s check, run by the merge train on a batch\'s result.',
      argv: ['timeout', '--kill-after=30', String(timeoutSeconds), 'sh', '-c', command],
      restart: { ...spec.restart, mode: 'never', maxRestarts: 0 },
      layout: 'tab',
    }),
  };
}
