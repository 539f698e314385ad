import { useEffect, useState } from 'react';
import type { Page, SessionView } from '@baton/contracts';
import { api, command, read } from '../../../api/http';

/** How often the inbox and its count look again: agents wait for minutes, not milliseconds. */
export const INBOX_REFRESH_MS = 4_000;

export const inboxApi = {
  /** Every session waiting for a person in the projects the caller may see, oldest wait first. */
  waiting: async (signal?: AbortSignal): Promise<{ items: SessionView[]; total: number }> => {
    const page = await read<Page<SessionView>>('/api/sessions', { status: 'needs_input', limit: 200 }, signal);
    return { items: [...page.items].sort((a, b) => (a.statusSince < b.statusSince ? -1 : 1)), total: page.total };
  },
  answerPermission: (sessionId: string, decision: 'approve' | 'deny') => command('POST', api`/api/sessions/${sessionId}/permission`, { decision }),
  /** A typed answer, submitted (Enter where the agent's screen needs it). */
  reply: (sessionId: string, text: string) => command('POST', api`/api/sessions/${sessionId}/input`, { text, kind: 'prompt' }),
};

export type InboxState = { status: 'loading' } | { status: 'ready'; items: SessionView[]; total: number } | { status: 'error'; message: string };

/** The waiting sessions, looked at again every few seconds and after `bump` changes (an answer sent). */
export function useInbox(bump = 0): InboxState {
  const [state, setState] = useState<InboxState>({ status: 'loading' });
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const r = await inboxApi.waiting(abort.signal);
        setState({ status: 'ready', ...r });
      } catch (e) {
        if (abort.signal.aborted) return;
        setState((s) => (s.status === 'ready' ? s : { status: 'error', message: (e as Error).message }));
      }
      if (!abort.signal.aborted) timer = setTimeout(() => void load(), INBOX_REFRESH_MS);
    };
    void load();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [bump]);
  return state;
}

/**
 * Whether a waiting session waits on a permission prompt Baton can answer (approve / deny):
 * the `baton hook` of every real agent words it "<Agent> asks to use <tool>…"
 * (apps/cli/src/hooks/agent-hook.ts, needsInputText). A question or a dialog is answered by a reply.
 */
export function waitsForPermission(s: Pick<SessionView, 'kind' | 'status' | 'statusReason'>): boolean {
  return s.kind === 'agent' && s.status === 'needs_input' && / asks to use \S/.test(s.statusReason ?? '');
}
