import { session, useMe } from '../model/use-session';

/** Who is signed in, their role, and the way out. */
export function UserMenu() {
  const me = useMe();
  return (
    <div className="user" data-testid="user">
      <span className="user__avatar" aria-hidden="true">
        {me.name.slice(0, 1).toUpperCase()}
      </span>
      <span className="user__name">{me.name}</span>
      <span className={`user__role user__role--${me.role}`}>{me.role}</span>
      <button type="button" className="btn btn--ghost btn--sm" onClick={() => session.signOut()}>
        Sign out
      </button>
    </div>
  );
}
