import type { CreateTaskRequest, TaskView } from '@baton/contracts';
import type { FieldIssue } from '../../../api/errors';
import { mapFieldErrors, pathResolver } from '../../../shared/lib/field-errors';
import type { EditTaskBody } from './tasks-api';

export interface TaskFormValues {
  title: string;
  description: string;
  /** One criterion per line. */
  acceptanceCriteria: string;
  priority: string;
  /** Comma-separated. */
  labels: string;
  executionMode: 'interactive' | 'autonomous';
  parentId: string;
  /** Task ids this one waits for (success). */
  dependsOn: string[];
}
export type TaskFormField = keyof TaskFormValues;
export type TaskFormErrors = Partial<Record<TaskFormField, string>>;

export const emptyTaskForm = (): TaskFormValues => ({ title: '', description: '', acceptanceCriteria: '', priority: '2', labels: '', executionMode: 'interactive', parentId: '', dependsOn: [] });

export function taskToForm(t: TaskView): TaskFormValues {
  return {
    title: t.title,
    description: t.description,
    acceptanceCriteria: t.acceptanceCriteria.join('\n'),
    priority: String(t.priority),
    labels: t.labels.join(', '),
    executionMode: t.executionMode,
    parentId: t.parentId ?? '',
    dependsOn: t.dependsOn.map((d) => d.taskId),
  };
}

const lines = (s: string) => s.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
const labels = (s: string) => s.split(',').map((l) => l.trim()).filter(Boolean);

export function toCreateTaskRequest(v: TaskFormValues): { request: CreateTaskRequest } | { errors: TaskFormErrors } {
  const priority = Number(v.priority);
  if (!Number.isInteger(priority)) return { errors: { priority: 'Choose a priority' } };
  return {
    request: {
      title: v.title,
      description: v.description,
      acceptanceCriteria: lines(v.acceptanceCriteria),
      priority,
      labels: labels(v.labels),
      executionMode: v.executionMode,
      parentId: v.parentId || null,
      dependsOn: v.dependsOn.map((taskId) => ({ taskId, condition: 'success' as const })),
    },
  };
}

/** Only what changed (the API refuses an empty edit, and says so). */
export function toEditTaskBody(before: TaskView, v: TaskFormValues): EditTaskBody {
  const out: EditTaskBody = {};
  if (v.title !== before.title) out.title = v.title;
  if (v.description !== before.description) out.description = v.description;
  const ac = lines(v.acceptanceCriteria);
  if (ac.join('\n') !== before.acceptanceCriteria.join('\n')) out.acceptanceCriteria = ac;
  const p = Number(v.priority);
  if (p !== before.priority) out.priority = p;
  const l = labels(v.labels);
  if (l.join(',') !== before.labels.join(',')) out.labels = l;
  if (v.executionMode !== before.executionMode) out.executionMode = v.executionMode;
  return out;
}

const resolve = pathResolver<TaskFormField>({
  title: 'title',
  description: 'description',
  acceptanceCriteria: 'acceptanceCriteria',
  priority: 'priority',
  labels: 'labels',
  executionMode: 'executionMode',
  parentId: 'parentId',
  dependsOn: 'dependsOn',
});

const ITEM = /^(acceptanceCriteria|labels|dependsOn)\[(\d+)\](?:\..*)?$/;
const ITEM_NAME: Record<string, string> = { acceptanceCriteria: 'Line', labels: 'Label', dependsOn: 'Dependency' };

/** The API's issues at their inputs; an item of a list is named the way the form shows it ("Line 2: …"). */
export function taskFieldErrors(fields: readonly FieldIssue[]): { byField: TaskFormErrors; unmatched: FieldIssue[] } {
  const named = fields.map((f) => {
    const m = ITEM.exec(f.path);
    return m ? { path: m[1], message: `${ITEM_NAME[m[1]]} ${Number(m[2]) + 1}: ${f.message}` } : f;
  });
  return mapFieldErrors(named, resolve);
}
