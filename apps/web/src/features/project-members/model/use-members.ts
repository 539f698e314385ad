import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../../../api/http';
import { membersApi, type MemberView, type UserSummary } from './members-api';

export interface MembersState {
  data: MemberView[] | null;
  /** Users who could be added: loaded for admins only. */
  users: UserSummary[];
  error: string | null;
  reload: () => void;
}

/** A project's members, reloaded after each change this client makes. */
export function useMembers(projectId: string, isAdmin: boolean): MembersState {
  const [data, setData] = useState<MemberView[] | null>(null);
  const [users, setUsers] = useState<UserSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    membersApi.list(projectId, ctl.signal).then(
      (m) => (setData(m), setError(null)),
      (e: unknown) => void (ctl.signal.aborted || setError(describeError(e))),
    );
    if (isAdmin) membersApi.users(ctl.signal).then(setUsers, () => undefined);
    return () => ctl.abort();
  }, [projectId, isAdmin, version]);

  return { data, users, error, reload: useCallback(() => setVersion((v) => v + 1), []) };
}
