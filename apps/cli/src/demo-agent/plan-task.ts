import { seg } from '../api-client';
import { parsePlan, stripDirectives } from './directives';
import { createPlan } from './orchestrate';
import type { AgentRun, Outcome, WorkItem } from './work-item';

/**
 * A planner session (role `planner`, from `baton task decompose`): the task's `Plan:` block
 * becomes subtasks with their dependencies and the decision is DECOMPOSE; without one the
 * task is a leaf (EXECUTE). The decision and its reason go on the task's timeline
 * (`POST /api/tasks/:id/plan`). It never marks the task itself done: that is the work's.
 */
export async function planTask(run: AgentRun, item: WorkItem): Promise<Outcome> {
  const { log, reporter } = run;
  const title = stripDirectives(item.title) || item.title || 'untitled';
  if (!item.taskId) return { kind: 'failed', reason: 'a planner needs a Baton task to plan; this session has none' };
  log.step(`planning task ${item.taskId}: ${title}`);
  await reporter.report({ kind: 'milestone', message: `planning "${title}"`, taskId: item.taskId });
  const steps = parsePlan(item.description);
  let decision: 'execute' | 'decompose';
  let reason: string;
  if (!steps.length) {
    decision = 'execute';
    reason = 'no "Plan:" block in the description: it is one piece of work';
  } else {
    const created = await createPlan(run, item);
    decision = 'decompose';
    reason = `split into ${created.length} step${created.length === 1 ? '' : 's'}: ${created.map((c) => `${c.index}. ${c.title}`).join('; ')}`.slice(0, 2_000);
  }
  await run.api.post(`/api/tasks/${seg(item.taskId)}/plan`, { decision, reason });
  log.ok(`${decision.toUpperCase()}: ${reason}`);
  await reporter.report({ kind: 'milestone', message: `plan: ${decision.toUpperCase()} — ${reason}`.slice(0, 2_000), taskId: item.taskId });
  return { kind: 'completed', summary: `planned: ${decision}` };
}
