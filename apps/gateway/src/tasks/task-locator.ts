import { Inject, Injectable } from '@nestjs/common';
import { QueryClient } from '@baton/event-store';
import type { AttemptView, TaskView } from '@baton/contracts';

const MAX_ENTRIES = 100_000;

/**
 * Task and attempt commands are decided by their project's aggregate, so they carry the
 * project's id: this finds it (a task never changes project) and remembers it. A client that
 * just created a task through another gateway passes the write's `seq` as `minSeq`.
 */
@Injectable()
export class TaskLocator {
  private readonly tasks = new Map<string, string>();
  private readonly attempts = new Map<string, { taskId: string; projectId: string }>();

  constructor(@Inject(QueryClient) private readonly queries: QueryClient) {}

  rememberTask(taskId: string, projectId: string): void {
    if (this.tasks.size >= MAX_ENTRIES) this.tasks.clear();
    this.tasks.set(taskId, projectId);
  }

  rememberAttempt(attemptId: string, where: { taskId: string; projectId: string }): void {
    if (this.attempts.size >= MAX_ENTRIES) this.attempts.clear();
    this.attempts.set(attemptId, where);
  }

  async projectOf(taskId: string, minSeq = 0): Promise<string> {
    const known = this.tasks.get(taskId);
    if (known) return known;
    const task = await this.queries.ask<TaskView>('tasks', 'get_task', { id: taskId }, { minSeq });
    this.rememberTask(taskId, task.projectId);
    return task.projectId;
  }

  /** The attempt's task and project, from the attempts read model (so an unknown attempt is a 404 before anything is sent). */
  async attempt(attemptId: string, minSeq = 0): Promise<{ taskId: string; projectId: string }> {
    const known = this.attempts.get(attemptId);
    if (known) return known;
    const a = await this.queries.ask<AttemptView>('tasks', 'get_attempt', { id: attemptId }, { minSeq });
    const where = { taskId: a.taskId, projectId: a.projectId };
    this.rememberAttempt(attemptId, where);
    return where;
  }
}
