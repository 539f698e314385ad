import { seg, type CommandAccepted } from '../api-client';
import { emit, type Ctx } from '../context';

export interface JsonOpt {
  json?: boolean;
}

export const projectPath = (id: string) => `/api/projects/${seg(id)}`;
export const taskPath = (id: string) => `/api/tasks/${seg(id)}`;
export const attemptPath = (id: string) => `/api/attempts/${seg(id)}`;

/** A write answers with what it did: `--json` prints the accepted command, otherwise one line. */
export const writtenBy = (ctx: Ctx) => (o: JsonOpt, res: CommandAccepted, what: string) => emit(ctx, o.json, res, () => `${what}\n`);
