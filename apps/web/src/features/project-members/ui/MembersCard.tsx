import { useState } from 'react';
import { describeError } from '../../../api/http';
import { RelativeTime } from '../../../shared/ui/RelativeTime';
import { candidates, membersApi, type ProjectRole } from '../model/members-api';
import { useMembers } from '../model/use-members';

const ROLES: ProjectRole[] = ['viewer', 'operator'];
const ADD_FORM = { display: 'flex', gap: 8, alignItems: 'center', marginTop: 12 } as const;

/**
 * Who may see and act on the project (docs/decisions/0023). Everyone who sees the project sees
 * the list; admins add members, change their role and remove them.
 */
export function MembersCard({ projectId, isAdmin }: { projectId: string; isAdmin: boolean }) {
  const { data, users, error, reload } = useMembers(projectId, isAdmin);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<ProjectRole>('viewer');
  const choices = candidates(users, data ?? []);

  const run = async (change: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(null);
    try {
      await change();
      reload();
    } catch (e) {
      setProblem(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="members-title" data-testid="project-members">
      <h2 className="card__title" id="members-title">
        Members
      </h2>
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : !data ? (
        <p className="muted">Loading…</p>
      ) : data.length === 0 ? (
        <p className="muted">No members yet: only admins see this project.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>User</th>
                <th>Role here</th>
                <th>May</th>
                <th>Since</th>
                {isAdmin && <th aria-label="Actions" />}
              </tr>
            </thead>
            <tbody>
              {data.map((m) => (
                <tr key={m.userId} data-testid={`member-${m.userId}`}>
                  <td>
                    {m.name} <span className="muted mono">{m.userId}</span>
                  </td>
                  <td>
                    {isAdmin ? (
                      <select
                        className="input"
                        aria-label={`Role of ${m.name}`}
                        value={m.role}
                        disabled={busy}
                        onChange={(e) => void run(() => membersApi.changeRole(projectId, m.userId, e.target.value as ProjectRole))}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                    ) : (
                      m.role
                    )}
                  </td>
                  <td title={`Their own role is ${m.userRole}: it caps what they may do here.`}>{m.effectiveRole}</td>
                  <td className="muted">
                    <RelativeTime iso={m.addedAt} />
                  </td>
                  {isAdmin && (
                    <td>
                      <button type="button" className="btn btn--ghost btn--sm" disabled={busy} onClick={() => void run(() => membersApi.remove(projectId, m.userId))}>
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {isAdmin && (
        <form
          style={ADD_FORM}
          aria-label="Add a member"
          onSubmit={(e) => {
            e.preventDefault();
            if (userId) void run(() => membersApi.add(projectId, userId, role)).then(() => setUserId(''));
          }}
        >
          <select className="input" style={{ flex: 2 }} aria-label="User to add" value={userId} onChange={(e) => setUserId(e.target.value)} disabled={busy || choices.length === 0}>
            <option value="">{choices.length ? 'Add a user…' : 'Every user is a member'}</option>
            {choices.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name} ({u.role})
              </option>
            ))}
          </select>
          <select className="input" style={{ flex: 1 }} aria-label="Role of the new member" value={role} onChange={(e) => setRole(e.target.value as ProjectRole)} disabled={busy}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <button type="submit" className="btn btn--primary btn--sm" disabled={busy || !userId}>
            Add member
          </button>
        </form>
      )}
      {problem && (
        <p className="field__error" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
