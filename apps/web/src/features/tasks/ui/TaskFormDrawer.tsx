import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { TaskView } from '@baton/contracts';
import { describeError, isApiError, newIdempotencyKey } from '../../../api/http';
import { ErrorBanner } from '../../../shared/ui/Banner';
import { Drawer } from '../../../shared/ui/Drawer';
import { Field } from '../../../shared/ui/Field';
import { toast } from '../../../shared/ui/toast';
import { useProjectWindow } from '../../project/model/project-context';
import { emptyTaskForm, taskFieldErrors, taskToForm, toCreateTaskRequest, toEditTaskBody, type TaskFormErrors, type TaskFormField, type TaskFormValues } from '../model/task-form';
import { tasksApi } from '../model/tasks-api';
import { compareTasks } from '../model/tasks.store';

interface Props {
  open: boolean;
  onClose: () => void;
  /** Edit this task; absent: create one. */
  task?: TaskView;
  /** Pre-filled parent for a new subtask. */
  parentId?: string;
  onSaved?: (id: string) => void;
}

/** Create or edit a task. The API owns the rules: its messages land at the field they name. */
export function TaskFormDrawer({ open, onClose, task, parentId, onSaved }: Props) {
  const { project, tasks } = useProjectWindow();
  const [values, setValues] = useState<TaskFormValues>(() => (task ? taskToForm(task) : { ...emptyTaskForm(), parentId: parentId ?? '' }));
  const [errors, setErrors] = useState<TaskFormErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [refusals, setRefusals] = useState(0);
  const key = useRef(newIdempotencyKey());
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (!open) return;
    setValues(task ? taskToForm(task) : { ...emptyTaskForm(), parentId: parentId ?? '' });
    setErrors({});
    setFormError(null);
    key.current = newIdempotencyKey();
  }, [open, task, parentId]);
  useEffect(() => {
    if (refusals) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [refusals]);

  const set = <K extends TaskFormField>(field: K, value: TaskFormValues[K]) => {
    key.current = newIdempotencyKey();
    setValues((v) => ({ ...v, [field]: value }));
    setErrors((e) => (e[field] === undefined ? e : { ...e, [field]: undefined }));
  };

  const others = Object.values(tasks.data ?? {})
    .filter((t) => t.id !== task?.id)
    .sort(compareTasks);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (sending) return;
    setFormError(null);
    try {
      setSending(true);
      if (task) {
        const body = toEditTaskBody(task, values);
        const accepted = await tasksApi.edit(task.id, body, key.current);
        toast(`Saved #${task.number}`, 'ok', 2_500);
        onSaved?.(accepted.id);
      } else {
        const built = toCreateTaskRequest(values);
        if ('errors' in built) {
          setErrors(built.errors);
          setRefusals((n) => n + 1);
          return;
        }
        const accepted = await tasksApi.create(project.id, built.request, key.current);
        onSaved?.(accepted.id);
      }
      onClose();
    } catch (err) {
      if (isApiError(err) && err.fields.length) {
        const mapped = taskFieldErrors(err.fields);
        setErrors(mapped.byField);
        setFormError(mapped.unmatched.length ? mapped.unmatched.map((f) => `${f.path || 'request'}: ${f.message}`).join('; ') : null);
        setRefusals((n) => n + 1);
      } else setFormError(describeError(err));
    } finally {
      setSending(false);
    }
  };

  const title = task ? `Edit #${task.number}` : 'New task';
  return (
    <Drawer
      open={open}
      onClose={() => !sending && onClose()}
      title={title}
      description={task ? 'Changes go to the agents working on it with their next prompt.' : 'A unit of work for an agent. It starts when everything it depends on is done.'}
      footer={
        <>
          <button type="button" className="btn btn--ghost" onClick={onClose} disabled={sending}>
            Cancel
          </button>
          <button type="submit" form="task-form" className="btn btn--primary" disabled={sending}>
            {sending && <span className="spinner" aria-hidden="true" />}
            {task ? (sending ? 'Saving…' : 'Save') : sending ? 'Creating…' : 'Create task'}
          </button>
        </>
      }
    >
      <form id="task-form" ref={formRef} className="form" onSubmit={submit} noValidate aria-busy={sending}>
        {formError && <ErrorBanner>{formError}</ErrorBanner>}
        <fieldset className="form__fieldset" disabled={sending}>
          <Field label="Title" error={errors.title}>
            {(a) => <input {...a} name="title" className="input" autoComplete="off" placeholder="Add the login form" value={values.title} onChange={(e) => set('title', e.target.value)} />}
          </Field>
          <Field label="Description" optional error={errors.description} hint="What the agent should know. Markdown.">
            {(a) => <textarea {...a} name="description" className="input textarea" rows={4} value={values.description} onChange={(e) => set('description', e.target.value)} />}
          </Field>
          <Field label="Acceptance criteria" optional error={errors.acceptanceCriteria} hint="One per line.">
            {(a) => <textarea {...a} name="acceptanceCriteria" className="input textarea" rows={3} value={values.acceptanceCriteria} onChange={(e) => set('acceptanceCriteria', e.target.value)} />}
          </Field>
          <div className="form__row">
            <Field label="Priority" error={errors.priority}>
              {(a) => (
                <select {...a} name="priority" className="input" value={values.priority} onChange={(e) => set('priority', e.target.value)}>
                  {[0, 1, 2, 3, 4].map((p) => (
                    <option key={p} value={p}>
                      P{p}
                      {p === 0 ? ' · most urgent' : p === 4 ? ' · least' : ''}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Mode" error={errors.executionMode}>
              {(a) => (
                <select {...a} name="executionMode" className="input" value={values.executionMode} onChange={(e) => set('executionMode', e.target.value as TaskFormValues['executionMode'])}>
                  <option value="interactive">Interactive</option>
                  <option value="autonomous">Autonomous</option>
                </select>
              )}
            </Field>
          </div>
          <Field label="Labels" optional error={errors.labels} hint="Comma-separated.">
            {(a) => <input {...a} name="labels" className="input" autoComplete="off" placeholder="frontend, auth" value={values.labels} onChange={(e) => set('labels', e.target.value)} />}
          </Field>
          {!task && (
            <>
              <Field label="Parent" optional error={errors.parentId}>
                {(a) => (
                  <select {...a} name="parentId" className="input" value={values.parentId} onChange={(e) => set('parentId', e.target.value)}>
                    <option value="">— top level —</option>
                    {others.map((t) => (
                      <option key={t.id} value={t.id}>
                        #{t.number} {t.title}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Depends on" optional error={errors.dependsOn} hint="It starts when all of these are done (Ctrl/⌘-click to pick several).">
                {(a) => (
                  <select
                    {...a}
                    name="dependsOn"
                    multiple
                    className="input input--multi"
                    value={values.dependsOn}
                    onChange={(e) => set('dependsOn', [...e.target.selectedOptions].map((o) => o.value))}
                  >
                    {others.map((t) => (
                      <option key={t.id} value={t.id}>
                        #{t.number} {t.title}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </>
          )}
        </fieldset>
      </form>
    </Drawer>
  );
}
