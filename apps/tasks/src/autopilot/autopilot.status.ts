import { z } from 'zod';
import { completeDecisions, DomainError, IdSchema, isAutopilotEvent, type RecordedEvent } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import type { AutopilotStatus, AutopilotTaskView } from '@baton/contracts';
import { ancestorsOf, childrenIndex, conditionMet, deriveStatuses } from '../task-graph/graph';
import { projectAggregateDecider, type ProjectAggregateEvent, type ProjectAggregateState } from '../task-graph/project-aggregate.decider';
import { copyTrainTimes, foldTrainTimes, initialTrainTimes, mergeTrainView, summarizeTrain, type TrainTimes } from '../merge-train/train.view';

const MAX_DECISIONS = 100;
/** Projects whose fold is kept between requests (the console asks every few seconds). */
const CACHED_PROJECTS = 200;

/** One line per autopilot event: what a person reads in `baton autopilot status`. */
function summarize(e: RecordedEvent): { taskId: string | null; summary: string } | null {
  const d = e.data as Record<string, unknown>;
  const taskId = typeof d.taskId === 'string' ? d.taskId : null;
  switch (e.type) {
    case 'project.autopilot_configured':
      return { taskId, summary: `configured: ${d.enabled ? 'on' : 'off'}, template ${d.sessionTemplateId}, max ${d.maxAttempts} attempts, on success ${d.onSuccess}` };
    case 'project.autopilot_paused':
      return { taskId, summary: `${d.stopAll ? 'stopped all' : 'paused'}${d.reason ? `: ${d.reason}` : ''}` };
    case 'project.autopilot_resumed':
      return { taskId, summary: 'resumed' };
    case 'project.autopilot_task_dispatched':
      return { taskId, summary: `attempt ${d.number} started (${d.attemptId}, ${d.sessionTemplateId}): ${d.reason}` };
    case 'project.autopilot_attempt_failed':
      return { taskId, summary: `attempt ${d.attemptId} failed (${d.failures} so far): ${d.reason}` };
    case 'project.autopilot_task_given_up':
      return { taskId, summary: `gave up: ${d.reason}` };
    case 'project.autopilot_merge_requested':
      return { taskId, summary: `merging ${d.branch} into ${d.into}` };
    case 'project.autopilot_merged':
      return { taskId, summary: `merged into ${d.into} as ${String(d.commit).slice(0, 12)}` };
    case 'project.autopilot_needs_input':
      return { taskId, summary: `NEEDS INPUT: ${d.message}` };
    case 'project.autopilot_hold_changed':
      return { taskId, summary: d.hold ? `held (${d.hold}): ${d.reason}` : `released: ${d.reason}` };
    case 'project.task_planning_started':
      return { taskId, summary: `planning in session ${d.sessionId} (${d.plannerTemplateId}, depth ${d.depth})` };
    case 'project.task_planned':
      return { taskId, summary: `plan: ${String(d.decision).toUpperCase()}${(d.children as string[]).length ? ` into ${(d.children as string[]).length} subtasks` : ''} — ${d.reason}${d.needsApproval ? ' (awaits review)' : ''}` };
    case 'project.task_plan_reviewed':
      return { taskId, summary: `plan ${d.accepted ? 'accepted' : 'rejected'}${d.reason ? `: ${d.reason}` : ''}` };
    default:
      return summarizeTrain(e);
  }
}

/** What the status view is made from, folded event by event (so it can continue from where it stopped). */
export interface AutopilotFold {
  state: ProjectAggregateState;
  needsInput: Map<string, AutopilotStatus['needsInput'][number]>;
  decisions: AutopilotStatus['decisions'];
  /** What the merge train's view adds to the state: times, returned cars, recent batches. */
  train: TrainTimes;
  seq: number;
}

export const initialAutopilotFold = (): AutopilotFold => ({ state: projectAggregateDecider.initialState(), needsInput: new Map(), decisions: [], train: initialTrainTimes(), seq: 0 });

/**
 * Folds more of the project's events into `fold`. The aggregate's evolve may change maps of
 * the state in place, so a fold is continued once, by whoever owns it.
 */
export function foldAutopilot(fold: AutopilotFold, events: readonly RecordedEvent[]): AutopilotFold {
  let state = fold.state;
  const needsInput = new Map(fold.needsInput);
  let decisions = fold.decisions;
  const train = copyTrainTimes(fold.train);
  for (const e of events) {
    foldTrainTimes(train, e);
    state = projectAggregateDecider.evolve(state, e as ProjectAggregateEvent);
    if (e.type === 'project.autopilot_needs_input') {
      const d = e.data as AutopilotStatus['needsInput'][number];
      needsInput.set(d.attemptId, { taskId: d.taskId, attemptId: d.attemptId, heldTaskId: d.heldTaskId, into: d.into, files: d.files, message: d.message });
    }
    if (e.type === 'project.autopilot_merged' || e.type === 'project.task_attempt_finished') needsInput.delete((e.data as { attemptId: string }).attemptId);
    if (isAutopilotEvent(e)) {
      const line = summarize(e);
      if (line) decisions = [...decisions, { seq: e.position.seq, at: e.occurredAt, type: e.type, ...line }].slice(-MAX_DECISIONS);
    }
  }
  return { state, needsInput, decisions, train, seq: events.at(-1)?.position.seq ?? fold.seq };
}

/** The autopilot's view of a project, from its events alone (pure). */
export function autopilotStatus(projectId: string, events: readonly RecordedEvent[]): AutopilotStatus {
  return autopilotView(projectId, foldAutopilot(initialAutopilotFold(), events));
}

export function autopilotView(projectId: string, fold: AutopilotFold): AutopilotStatus {
  const { state, needsInput, decisions } = fold;
  if (state.project.status === 'absent' || state.project.status === 'deleted') throw new DomainError('not_found', `project ${projectId} does not exist`, { projectId });
  const { graph, autopilot: ap } = state;
  const children = childrenIndex(graph.tasks);
  const derived = deriveStatuses(graph.tasks, children);
  const heldBy = (id: string) => [id, ...ancestorsOf(graph.tasks, id)].find((a) => ap.holds.has(a)) ?? null;
  const tasks: AutopilotTaskView[] = [...graph.tasks.values()]
    .sort((a, b) => a.number - b.number)
    .map((t) => {
      const holder = heldBy(t.id);
      return {
        taskId: t.id,
        number: t.number,
        title: t.title,
        status: t.status,
        parentId: t.parentId,
        dependsOn: t.dependsOn.map((d) => d.taskId),
        waitingOn: t.dependsOn.filter((d) => !conditionMet(d.condition, derived.get(d.taskId)?.status ?? graph.tasks.get(d.taskId)?.status ?? 'cancelled')).map((d) => d.taskId),
        attempts: t.attemptCount,
        activeAttemptId: t.activeAttemptId,
        failures: ap.failures.get(t.id) ?? 0,
        gaveUp: ap.gaveUp.has(t.id),
        hold: holder ? (ap.holds.get(holder) ?? null) : null,
        heldBy: holder,
        planning: ap.planning.has(t.id),
      };
    });
  return {
    projectId,
    settings: ap.settings,
    state: !ap.settings.enabled ? 'off' : ap.paused ? 'paused' : 'running',
    tasks,
    needsInput: [...needsInput.values()],
    decisions,
    seq: fold.seq,
  };
}

export function autopilotQueries(read: ReadSide) {
  // Each request reads only the events after the cached fold, instead of the project's whole
  // log. Requests for one project are chained: each continues the fold the one before left.
  const folds = new Map<string, Promise<{ fold: AutopilotFold; lastSeq: number }>>();
  const foldOf = async (projectId: string, minSeq: number): Promise<AutopilotFold> => {
    await read.waitFor(minSeq);
    const before = folds.get(projectId);
    const next = (async () => {
      // After a failed request, start again from the project's first event.
      const cached = await before?.catch(() => undefined);
      const after = cached?.lastSeq ?? 0;
      // A decision still being appended waits for the next request: no half decisions in the view.
      const events = completeDecisions((await read.store.load({ type: 'project', id: projectId }, after)).events);
      const fold = foldAutopilot(cached?.fold ?? initialAutopilotFold(), events);
      return { fold, lastSeq: events.at(-1)?.position.seq ?? after };
    })();
    folds.delete(projectId);
    folds.set(projectId, next);
    if (folds.size > CACHED_PROJECTS) folds.delete(folds.keys().next().value as string);
    return (await next).fold;
  };
  return {
    get_autopilot: defineQuery(z.object({ projectId: IdSchema }), async ({ projectId }, { minSeq }) => autopilotView(projectId, await foldOf(projectId, minSeq))),
    get_merge_train: defineQuery(z.object({ projectId: IdSchema }), async ({ projectId }, { minSeq }) => {
      const fold = await foldOf(projectId, minSeq);
      if (fold.state.project.status === 'absent' || fold.state.project.status === 'deleted') throw new DomainError('not_found', `project ${projectId} does not exist`, { projectId });
      return mergeTrainView(projectId, fold.state, fold.train, fold.seq);
    }),
  };
}
