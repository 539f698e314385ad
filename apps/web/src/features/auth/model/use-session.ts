import { useSyncExternalStore } from 'react';
import { credentials } from '../../../api/credentials';
import { http } from '../../../api/http';
import type { MeView } from '../../../api/types';
import { SessionStore, type SessionState } from './session';

export const session = new SessionStore(
  credentials,
  (token) => http.get<MeView>('/api/me', token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  (me, token) => http.del(`/api/users/${encodeURIComponent(me.id)}/tokens/${encodeURIComponent(me.tokenId)}`, { headers: { authorization: `Bearer ${token}` } }),
);

export function useSession(): SessionState {
  return useSyncExternalStore(session.subscribe, session.getSnapshot);
}

/** The signed-in user; only for screens rendered inside the signed-in shell. */
export function useMe(): MeView {
  const s = useSession();
  if (s.status !== 'signed_in') throw new Error('useMe outside a signed-in session');
  return s.me;
}
