import type { ReactNode } from 'react';
import { BellIcon, FleetIcon, FolderIcon, BroadcastIcon } from '../shared/ui/icons';
import { Link } from './router';
import type { Section } from './routes';

const NAV: { section: Section; label: string; to: string; icon: ReactNode }[] = [
  { section: 'projects', label: 'Projects', to: '/projects', icon: <FolderIcon /> },
  { section: 'fleet', label: 'Fleet', to: '/fleet', icon: <FleetIcon /> },
  { section: 'inbox', label: 'Inbox', to: '/inbox', icon: <BellIcon /> },
  { section: 'notifications', label: 'Notifications', to: '/notifications', icon: <BroadcastIcon /> },
];

export function GlobalNav({ section, waiting = 0 }: { section: Section | null; waiting?: number }) {
  return (
    <ul className="sidenav__list">
      {NAV.map((item) => (
        <li key={item.section}>
          <Link to={item.to} className={`sidenav__item${section === item.section ? ' sidenav__item--active' : ''}`} aria-current={section === item.section ? 'page' : undefined}>
            {item.icon}
            <span>{item.label}</span>
            {item.section === 'inbox' && waiting > 0 && (
              <span className="sidenav__count" data-testid="inbox-count" aria-label={`${waiting} waiting`}>
                {waiting}
              </span>
            )}
          </Link>
        </li>
      ))}
    </ul>
  );
}

