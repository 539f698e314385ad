import { useEffect, useState } from 'react';
import { ApiError, isApiError } from '../../../api/http';
import type { ProjectView } from '../../../api/types';
import { projectsApi } from './projects-api';

type ProjectState = { status: 'loading' } | { status: 'ready'; project: ProjectView } | { status: 'error'; error: ApiError };

/** One project by id, read at least as new as this client's last write. */
export function useProject(id: string): ProjectState & { retry: () => void } {
  const [state, setState] = useState<ProjectState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    setState({ status: 'loading' });
    projectsApi.get(id, ctl.signal).then(
      (project) => setState({ status: 'ready', project }),
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setState({ status: 'error', error: isApiError(e) ? e : new ApiError(0, 'internal', String(e)) });
      },
    );
    return () => ctl.abort();
  }, [id, attempt]);

  return { ...state, retry: () => setAttempt((n) => n + 1) };
}
