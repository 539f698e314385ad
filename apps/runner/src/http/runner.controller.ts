import { Body, Controller, Get, HttpCode, HttpException, HttpStatus, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { IdSchema } from '@baton/events';
import type { FileDiff, MergeResult } from '../worktree';
import { BaseUpdateError, MergeConflictError } from '../worktree';
import { RUNNER_HTTP, type RunnerHttpDeps } from './runner-http.deps';
import { RunnerSecretGuard } from './runner-secret.guard';

const MergeBodySchema = z.strictObject({
  strategy: z.enum(['squash', 'merge']).default('squash'),
  message: z.string().trim().min(1, 'must not be empty').max(10_000),
  author: z.strictObject({ name: z.string().trim().min(1).max(200), email: z.string().trim().min(3).max(320) }).optional(),
});

const fail = (status: number, code: string, message: string, extra: Record<string, unknown> = {}) => new HttpException({ error: { code, message, ...extra } }, status);

function idOf(raw: string, what: string): string {
  const parsed = IdSchema.safeParse(raw);
  if (!parsed.success) throw fail(HttpStatus.BAD_REQUEST, 'validation', `${what}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, { fields: [{ path: what, message: parsed.error.issues[0]?.message }] });
  return parsed.data;
}

/**
 * What the gateway asks a runner directly (it proxies these): the live screen of a hosted
 * session for a viewer who just joined, and the attempt worktrees' diff and merge.
 */
@Controller()
@UseGuards(RunnerSecretGuard)
export class RunnerController {
  constructor(@Inject(RUNNER_HTTP) private readonly deps: RunnerHttpDeps) {}

  @Get('sessions/:id/screen')
  async screen(@Param('id') raw: string) {
    const id = idOf(raw, 'id');
    const snapshot = await this.deps.host.screen(id);
    if (!snapshot) throw fail(HttpStatus.NOT_FOUND, 'not_found', `session ${id} is not running on this runner`);
    return snapshot;
  }

  @Get('attempts/:id/diff')
  async diff(@Param('id') raw: string, @Query('uncommitted') uncommitted?: string): Promise<{ attemptId: string; files: FileDiff[] }> {
    const id = await this.attempt(raw);
    return { attemptId: id, files: await this.deps.worktrees.diff(id, { uncommitted: uncommitted === 'true' || uncommitted === '1' }) };
  }

  @Post('attempts/:id/merge')
  @HttpCode(200)
  async merge(@Param('id') raw: string, @Body() body: unknown): Promise<MergeResult & { attemptId: string }> {
    const id = await this.attempt(raw);
    const parsed = MergeBodySchema.safeParse(body ?? {});
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
      throw fail(HttpStatus.BAD_REQUEST, 'validation', fields.map((f) => `${f.path}: ${f.message}`).join('; '), { fields });
    }
    try {
      return { attemptId: id, ...(await this.deps.worktrees.merge(id, parsed.data)) };
    } catch (e) {
      if (e instanceof MergeConflictError) throw fail(HttpStatus.CONFLICT, 'merge_conflict', e.message, { details: { files: e.files } });
      if (e instanceof BaseUpdateError) throw fail(HttpStatus.CONFLICT, e.code, e.message, { details: { repository: e.repository, branch: e.branch } });
      if (e instanceof Error && /nothing to merge into|does not exist/.test(e.message)) throw fail(HttpStatus.UNPROCESSABLE_ENTITY, 'invalid_state', e.message);
      throw e;
    }
  }

  private async attempt(raw: string): Promise<string> {
    const id = idOf(raw, 'id');
    if (!(await this.deps.worktrees.get(id))) throw fail(HttpStatus.NOT_FOUND, 'not_found', `attempt ${id} has no worktree on this runner`);
    return id;
  }
}
