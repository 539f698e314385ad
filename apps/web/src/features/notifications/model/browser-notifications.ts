import { useEffect, useRef, useState } from 'react';
import type { SessionView } from '@baton/contracts';
import { navigate } from '../../../app/router';
import { projectPath } from '../../../app/routes';

/** Where a notification about a waiting session opens: its page's answer box. */
export const answerPath = (s: Pick<SessionView, 'projectId' | 'id'>) => `${projectPath(s.projectId, 'sessions', s.id)}#answer`;

/**
 * The sessions to announce: waiting now and not waiting at the previous look. The first look
 * (`previous` null) announces nothing: what already waited when the page opened is in the
 * title's count and the inbox, and a reload must not ring again.
 */
export function newlyWaiting(previous: ReadonlySet<string> | null, now: readonly SessionView[]): SessionView[] {
  if (previous === null) return [];
  return now.filter((s) => !previous.has(s.id));
}

export type BrowserPermission = NotificationPermission | 'unsupported';

export function browserPermission(): BrowserPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Asks the browser (a click must call this: browsers refuse a request made without one). */
export async function askPermission(): Promise<BrowserPermission> {
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.requestPermission();
}

/** The permission as the page knows it, updated when the user answers (here or in the browser's settings). */
export function useBrowserPermission(): [BrowserPermission, () => Promise<void>] {
  const [permission, setPermission] = useState<BrowserPermission>(browserPermission);
  useEffect(() => {
    const status = typeof navigator !== 'undefined' ? navigator.permissions?.query({ name: 'notifications' as PermissionName }) : undefined;
    let alive = true;
    void status?.then((s) => {
      if (!alive) return;
      s.onchange = () => setPermission(browserPermission());
    }, () => undefined);
    return () => {
      alive = false;
    };
  }, []);
  return [permission, async () => setPermission(await askPermission())];
}

/**
 * A browser notification (the Notification API) for each session that starts waiting for a
 * person, fed by the shell's poll of waiting sessions; clicking it opens the answer box.
 */
export function useWaitingNotifications(waiting: readonly SessionView[] | null): void {
  const seen = useRef<Set<string> | null>(null);
  useEffect(() => {
    if (waiting === null) return;
    const fresh = newlyWaiting(seen.current, waiting);
    seen.current = new Set(waiting.map((s) => s.id));
    if (browserPermission() !== 'granted') return;
    for (const s of fresh) {
      const n = new Notification(`${s.name || 'An agent'} needs you`, {
        body: s.statusReason || s.lastMessage || 'waiting for input',
        tag: `baton-session-${s.id}`,
        icon: '/favicon.svg',
      });
      n.onclick = () => {
        window.focus();
        navigate(answerPath(s));
        n.close();
      };
    }
  }, [waiting]);
}
