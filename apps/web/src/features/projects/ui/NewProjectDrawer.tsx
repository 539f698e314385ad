import { useEffect, useRef, type FormEvent } from 'react';
import type { ProjectView } from '../../../api/types';
import { ErrorBanner } from '../../../shared/ui/Banner';
import { Drawer } from '../../../shared/ui/Drawer';
import { Field } from '../../../shared/ui/Field';
import { useProjectForm } from '../model/use-project-form';

interface Props {
  open: boolean;
  onClose: () => void;
  onCreated: (project: ProjectView) => void;
}

export function NewProjectDrawer({ open, onClose, onCreated }: Props) {
  const form = useProjectForm(onCreated);
  const { values, errors, sending, set, refusals } = form;
  const formRef = useRef<HTMLFormElement>(null);

  // After a refused submit, put the cursor where the first problem is.
  useEffect(() => {
    if (refusals) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [refusals]);

  const close = () => {
    if (sending) return;
    form.reset();
    onClose();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await form.submit()) onClose();
  };

  return (
    <Drawer
      open={open}
      onClose={close}
      title="New project"
      description="Point Baton at a git repository. Agents get their own worktree and branch in it for every attempt."
      footer={
        <>
          <button type="button" className="btn btn--ghost" onClick={close} disabled={sending}>
            Cancel
          </button>
          <button type="submit" form="new-project-form" className="btn btn--primary" disabled={sending} data-testid="create-project">
            {sending && <span className="spinner" aria-hidden="true" />}
            {sending ? 'Creating…' : 'Create project'}
          </button>
        </>
      }
    >
      <form id="new-project-form" ref={formRef} className="form" onSubmit={submit} noValidate aria-busy={sending}>
        {form.formError && <ErrorBanner>{form.formError}</ErrorBanner>}
        <fieldset className="form__fieldset" disabled={sending}>
          <Field label="Name" error={errors.name}>
            {(a) => <input {...a} name="name" className="input" autoComplete="off" placeholder="payments-service" value={values.name} onChange={(e) => set('name', e.target.value)} />}
          </Field>
          <Field label="Repository" error={errors.location} hint="What the runners clone: an absolute path on them, https://…, ssh://… or user@host:path.">
            {(a) => (
              <input {...a} name="repository.location" className="input input--mono" autoComplete="off" spellCheck={false} placeholder="git@github.com:acme/payments.git" value={values.location} onChange={(e) => set('location', e.target.value)} />
            )}
          </Field>
          <div className="form__row">
            <Field label="Default branch" error={errors.defaultBranch} hint="Attempts branch off this.">
              {(a) => <input {...a} name="repository.defaultBranch" className="input input--mono" autoComplete="off" spellCheck={false} placeholder="main" value={values.defaultBranch} onChange={(e) => set('defaultBranch', e.target.value)} />}
            </Field>
            <Field label="Concurrency limit" optional error={errors.concurrencyLimit} hint="Agents at once. Empty: no limit.">
              {(a) => <input {...a} name="concurrencyLimit" className="input" type="number" inputMode="numeric" min={1} step={1} placeholder="No limit" value={values.concurrencyLimit} onChange={(e) => set('concurrencyLimit', e.target.value)} />}
            </Field>
          </div>
          <Field label="Environment" optional error={errors.env} hint="KEY=value, one per line. Given to every agent; only the names are shown afterwards.">
            {(a) => <textarea {...a} name="env" className="input input--mono textarea" rows={4} spellCheck={false} placeholder={'NODE_ENV=development\nAPI_URL=http://localhost:8080'} value={values.env} onChange={(e) => set('env', e.target.value)} />}
          </Field>
        </fieldset>
      </form>
    </Drawer>
  );
}
