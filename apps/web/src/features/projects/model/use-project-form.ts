import { useCallback, useRef, useState } from 'react';
import { describeError, isApiError } from '../../../api/http';
import type { ProjectView } from '../../../api/types';
import { emptyProjectForm, projectFieldErrors, toCreateProjectRequest, type ProjectFormErrors, type ProjectFormField, type ProjectFormValues } from './project-form';
import { projectsApi } from './projects-api';

// getRandomValues, not randomUUID: the latter is missing on plain http to a LAN address.
const newKey = () => `web-${Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')}`;

/**
 * The New project form: values, errors at their inputs, one request at a time. The
 * Idempotency-Key lives as long as the values do, so resending after a timeout cannot
 * create the project twice; editing anything makes it a new request.
 */
export function useProjectForm(onCreated: (project: ProjectView) => void) {
  const [values, setValues] = useState<ProjectFormValues>(emptyProjectForm);
  const [errors, setErrors] = useState<ProjectFormErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  /** Counts refused submits, so the form can move focus to the first bad input each time. */
  const [refusals, setRefusals] = useState(0);
  const key = useRef(newKey());

  const set = useCallback((field: ProjectFormField, value: string) => {
    key.current = newKey();
    setValues((v) => ({ ...v, [field]: value }));
    setErrors((e) => (e[field] === undefined ? e : { ...e, [field]: undefined }));
  }, []);

  const reset = useCallback(() => {
    key.current = newKey();
    setValues(emptyProjectForm());
    setErrors({});
    setFormError(null);
  }, []);

  const submit = useCallback(async (): Promise<boolean> => {
    if (sending) return false;
    const built = toCreateProjectRequest(values);
    if ('errors' in built) {
      setErrors(built.errors);
      setFormError(null);
      setRefusals((n) => n + 1);
      return false;
    }
    setSending(true);
    setFormError(null);
    try {
      const accepted = await projectsApi.create(built.request, key.current);
      const project = await projectsApi.get(accepted.id);
      onCreated(project);
      reset();
      return true;
    } catch (e) {
      if (isApiError(e) && e.fields.length) {
        const mapped = projectFieldErrors(e.fields);
        setErrors(mapped.byField);
        setFormError(mapped.unmatched.length ? mapped.unmatched.map((f) => `${f.path}: ${f.message}`).join('; ') : null);
        setRefusals((n) => n + 1);
      } else {
        setErrors({});
        setFormError(describeError(e));
      }
      return false;
    } finally {
      setSending(false);
    }
  }, [onCreated, reset, sending, values]);

  return { values, errors, formError, sending, refusals, set, submit, reset };
}
