import { useCallback, useEffect, useReducer, useRef } from 'react';
import { describeError } from '../../../api/http';
import type { ProjectView } from '../../../api/types';
import { projectsApi } from './projects-api';
import { initialProjectsState, PAGE_SIZE, projectsReducer } from './projects.store';

/** The projects table: a page of the list, reloadable, with the row this client just created. */
export function useProjects() {
  const [state, dispatch] = useReducer(projectsReducer, undefined, initialProjectsState);
  const loads = useRef(0);
  const inflight = useRef<AbortController | null>(null);

  const load = useCallback(async (offset: number) => {
    inflight.current?.abort();
    const ctl = new AbortController();
    inflight.current = ctl;
    const loadId = ++loads.current;
    dispatch({ type: 'load_started', loadId, offset });
    try {
      const page = await projectsApi.list({ limit: PAGE_SIZE, offset }, ctl.signal);
      dispatch({ type: 'load_succeeded', loadId, page });
    } catch (e) {
      if (!ctl.signal.aborted) dispatch({ type: 'load_failed', loadId, error: describeError(e) });
    }
  }, []);

  useEffect(() => {
    void load(0);
    return () => inflight.current?.abort();
  }, [load]);

  const offset = state.offset;
  const reload = useCallback(() => load(offset), [load, offset]);
  const goTo = useCallback((next: number) => load(Math.max(0, next)), [load]);
  const created = useCallback(
    (project: ProjectView) => {
      dispatch({ type: 'project_created', project });
      void load(offset);
    },
    [load, offset],
  );
  const clearHighlight = useCallback(() => dispatch({ type: 'highlight_cleared' }), []);

  return { state, reload, goTo, created, clearHighlight };
}
