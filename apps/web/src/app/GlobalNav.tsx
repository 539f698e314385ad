import type { ReactNode } from 'react';
import { FleetIcon, FolderIcon } from '../shared/ui/icons';
import { Link } from './router';
import type { Section } from './routes';

const NAV: { section: Section; label: string; to: string; icon: ReactNode }[] = [
  { section: 'projects', label: 'Projects', to: '/projects', icon: <FolderIcon /> },
  { section: 'fleet', label: 'Fleet', to: '/fleet', icon: <FleetIcon /> },
];

export function GlobalNav({ section }: { section: Section | null }) {
  return (
    <ul className="sidenav__list">
      {NAV.map((item) => (
        <li key={item.section}>
          <Link to={item.to} className={`sidenav__item${section === item.section ? ' sidenav__item--active' : ''}`} aria-current={section === item.section ? 'page' : undefined}>
            {item.icon}
            <span>{item.label}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

