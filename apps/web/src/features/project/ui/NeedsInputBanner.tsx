import { useEffect, useRef, useState } from 'react';
import { Link } from '../../../app/router';
import { projectPath } from '../../../app/routes';
import { BellIcon } from '../../../shared/ui/icons';
import { sessionLabel } from '../../sessions/model/sessions.store';
import { useProjectWindow } from '../model/project-context';

const canNotify = () => typeof Notification !== 'undefined';

/**
 * Agents waiting for a person, loudly: a banner over every tab of the project window, and a
 * browser notification (when allowed) the moment a session starts waiting.
 */
export function NeedsInputBanner() {
  const { project, sessions, tasks } = useProjectWindow();
  const asking = Object.values(sessions.data ?? {})
    .filter((s) => s.status === 'needs_input')
    .sort((a, b) => (a.statusSince < b.statusSince ? -1 : 1));
  const [permission, setPermission] = useState(canNotify() ? Notification.permission : 'denied');
  const seen = useRef<Set<string> | null>(null);

  useEffect(() => {
    const now = new Set(asking.map((s) => s.id));
    const before = seen.current;
    seen.current = now;
    if (!before || !canNotify() || Notification.permission !== 'granted') return; // the first snapshot is not news
    for (const s of asking) {
      if (before.has(s.id)) continue;
      const n = new Notification(`${sessionLabel(s, tasks.data ?? {})} needs input`, { body: s.lastMessage ?? s.statusReason ?? project.name, tag: `needs-input-${s.id}` });
      n.onclick = () => {
        window.focus();
        window.location.assign(projectPath(project.id, 'sessions', s.id));
      };
    }
  });

  if (!asking.length) return null;
  return (
    <div className="needs-input" role="alert" data-testid="needs-input-banner">
      <span className="needs-input__icon">
        <BellIcon size={16} />
      </span>
      <div className="needs-input__body">
        <strong>
          {asking.length === 1 ? '1 agent needs your input' : `${asking.length} agents need your input`}
        </strong>
        <ul className="needs-input__list">
          {asking.slice(0, 4).map((s) => (
            <li key={s.id}>
              <Link to={projectPath(project.id, 'sessions', s.id)} className="needs-input__link">
                <span className="needs-input__who">{sessionLabel(s, tasks.data ?? {})}</span>
                {s.lastMessage && <span className="needs-input__question">“{s.lastMessage}”</span>}
                <span className="needs-input__go">Answer →</span>
              </Link>
            </li>
          ))}
        </ul>
      </div>
      {canNotify() && permission === 'default' && (
        <button type="button" className="btn btn--sm btn--ghost" onClick={() => void Notification.requestPermission().then(setPermission)}>
          Notify me
        </button>
      )}
    </div>
  );
}
