import { seg, type CommandAccepted } from '../api-client';
import { isFinal, type SessionView } from '../sessions/session-views';
import { parsePlan, stripDirectives } from './directives';
import type { AgentRun, WorkItem } from './work-item';

interface TaskRow {
  id: string;
  title: string;
  status: string;
}

export interface WorkersResult {
  spawned: string[];
  finished: { id: string; status: string }[];
  failed: number;
}

/**
 * `[spawn-workers:n]`: n worker sessions, children of this one (`--parent self`), each on a
 * subtask of the task when it has some, else on a copy of the work given as their prompt;
 * then waits for every one to end, reporting "k/n workers done" as they finish.
 */
export async function spawnWorkers(run: AgentRun, item: WorkItem, n: number, onProgress: (done: number, total: number, last: { id: string; status: string }) => Promise<void>): Promise<WorkersResult> {
  const { manifest, api, log } = run;
  let subtasks: TaskRow[] = [];
  if (item.taskId) {
    try {
      const page = await api.get<{ items: TaskRow[] }>(`/api/projects/${seg(manifest.project.id)}/tasks`, { parentId: item.taskId, limit: 100 });
      subtasks = page.items.filter((t) => !['done', 'cancelled', 'failed'].includes(t.status));
    } catch (e) {
      log.warn(`cannot list the subtasks of ${item.taskId}: ${(e as Error).message}; workers get copies of the task`);
    }
  }
  const passOn = /\[fast\]/i.test(`${item.title} ${item.description}`) ? ' [fast]' : '';
  const spawned: string[] = [];
  for (let k = 1; k <= n; k++) {
    const sub = subtasks[k - 1];
    const title = stripDirectives(item.title) || 'the work';
    const res = await run.reporter.spawnWorker({
      templateId: manifest.session.templateId,
      taskIds: sub ? [sub.id] : [],
      strategy: 'simple',
      name: `${title} · worker ${k}`.slice(0, 200),
      prompt: sub ? null : `Worker ${k} of ${n} for "${title}"${passOn}`,
    });
    spawned.push(res.id);
    log.ok(`spawned worker ${k}/${n}: session ${res.id}${sub ? ` on task ${sub.id} (${sub.title})` : ''}`);
  }
  await run.reporter.report({ kind: 'milestone', message: `spawned ${n} worker${n === 1 ? '' : 's'}: ${spawned.join(', ')}`, taskId: item.taskId });

  const finished = new Map<string, string>();
  while (finished.size < spawned.length) {
    await run.sleep(run.pollMs);
    for (const id of spawned) {
      if (finished.has(id)) continue;
      let s: SessionView;
      try {
        s = await run.reporter.api.get(id);
      } catch (e) {
        log.warn(`cannot read worker ${id}: ${(e as Error).message}`);
        continue;
      }
      if (!isFinal(s.status)) continue;
      finished.set(id, s.status);
      log.info(`worker ${id} ${s.status} (${finished.size}/${spawned.length})`);
      await onProgress(finished.size, spawned.length, { id, status: s.status });
    }
  }
  const list = spawned.map((id) => ({ id, status: finished.get(id)! }));
  return { spawned, finished: list, failed: list.filter((w) => w.status !== 'completed' && w.status !== 'succeeded').length };
}

/**
 * `[plan]`: turns the description's `Plan:` block into subtasks of the task, each waiting
 * on the steps it names (`baton task create --parent … --depends-on …`). Returns the ids.
 */
export async function createPlan(run: AgentRun, item: WorkItem): Promise<{ index: number; id: string; title: string }[]> {
  const steps = parsePlan(item.description);
  if (!steps.length) {
    run.log.warn('[plan] but no "Plan:" block with list lines in the description: nothing to create');
    return [];
  }
  if (!item.taskId) {
    run.log.warn('[plan] needs a Baton task to hang the subtasks under; this work has none');
    return [];
  }
  const created: { index: number; id: string; title: string }[] = [];
  for (const step of steps) {
    const dependsOn = step.dependsOn.map((i) => ({ taskId: created[i - 1].id, condition: 'success' }));
    const res = await run.api.post<CommandAccepted>(`/api/projects/${seg(run.manifest.project.id)}/tasks`, {
      title: step.title,
      parentId: item.taskId,
      ...(dependsOn.length ? { dependsOn } : {}),
    });
    created.push({ index: step.index, id: res.id, title: step.title });
    run.log.ok(`planned ${step.index}. ${step.title} → task ${res.id}${step.dependsOn.length ? ` (after ${step.dependsOn.join(', ')})` : ''}`);
  }
  return created;
}
