import { useEffect, useState } from 'react';
import { useSession } from '../features/auth/model/use-session';
import { GatewayUnreachable, SignInPage } from '../features/auth/ui/SignInPage';
import { UserMenu } from '../features/auth/ui/UserMenu';
import { FleetPage } from '../features/fleet/ui/FleetPage';
import { InboxPage } from '../features/inbox/ui/InboxPage';
import { useInbox } from '../features/inbox/model/inbox';
import { useWaitingNotifications } from '../features/notifications/model/browser-notifications';
import { useFaviconCount } from '../features/notifications/model/favicon-badge';
import { NotificationsPage } from '../features/notifications/ui/NotificationsPage';
import { setWaitingCount } from '../shared/lib/title';
import { HealthIndicator } from '../features/health/ui/HealthIndicator';
import { ProjectWindowPage } from '../features/project/ui/ProjectWindowPage';
import { ProjectsPage } from '../features/projects/ui/ProjectsPage';
import { live } from '../live/use-live';
import { LiveIndicator } from '../live/ui/LiveIndicator';
import { Toasts } from '../shared/ui/toast';
import { BatonMark } from '../shared/ui/icons';
import { GlobalNav } from './GlobalNav';
import { Link, navigate, usePathname } from './router';
import { matchRoute, redirectFor, sectionOf } from './routes';



/** Signed in → the console; otherwise the sign-in screen, at whatever address was asked for. */
export function App() {
  const state = useSession();
  switch (state.status) {
    case 'checking':
      return <div className="splash" aria-busy="true" aria-label="Loading Baton" />;
    case 'signed_out':
      return <SignInPage reason={state.reason} />;
    case 'unreachable':
      return <GatewayUnreachable message={state.message} />;
    case 'signed_in':
      // Keyed by user: a different user starts from fresh screens, never another's state.
      return <Shell key={state.me.id} />;
  }
}

function Shell() {
  const pathname = usePathname();
  const redirect = redirectFor(pathname);
  useEffect(() => {
    if (redirect) navigate(redirect, { replace: true });
  }, [redirect]);
  // One socket per tab, for as long as someone is signed in here.
  useEffect(() => {
    live.connect();
    return () => live.disconnect();
  }, []);
  const route = matchRoute(redirect ?? pathname);
  const section = sectionOf(route);
  // How many agents wait for a person: in the tab's title (seen from other tabs) and the nav.
  // One poll for the count and the Inbox page; an answer sent looks again at once.
  const [inboxBump, setInboxBump] = useState(0);
  const inbox = useInbox(inboxBump);
  const waiting = inbox.status === 'ready' ? inbox.total : 0;
  useEffect(() => setWaitingCount(waiting), [waiting]);
  // The same poll rings this browser (when allowed) and badges the tab's icon.
  useFaviconCount(waiting);
  useWaitingNotifications(inbox.status === 'ready' ? inbox.items : null);

  const topbar = (
    <header className="topbar">
      <Link to="/projects" className="brand" aria-label="Baton home">
        <BatonMark />
        <span className="brand__name">Baton</span>
      </Link>
      <div className="topbar__spacer" />
      <LiveIndicator />
      <HealthIndicator />
      <UserMenu />
    </header>
  );

  if (route.name === 'project') {
    return (
      <div className="shell">
        {topbar}
        <ProjectWindowPage key={route.id} route={route} />
        <Toasts />
      </div>
    );
  }

  return (
    <div className="shell">
      {topbar}
      <nav className="sidenav" aria-label="Main">
        <GlobalNav section={section} waiting={waiting} />
      </nav>
      <main className="main" id="main">
        {route.name === 'projects' && <ProjectsPage />}
        {route.name === 'fleet' && <FleetPage />}
        {route.name === 'inbox' && <InboxPage inbox={inbox} onAnswered={() => setInboxBump((n) => n + 1)} />}
        {route.name === 'notifications' && <NotificationsPage />}
        {route.name === 'not_found' && (
          <div className="page">
            <div className="empty">
              <h2 className="empty__title">Nothing at {route.path}</h2>
              <p className="empty__text">This address does not match a page of Baton.</p>
              <Link to="/projects" className="btn btn--ghost">
                Go to projects
              </Link>
            </div>
          </div>
        )}
      </main>
      <Toasts />
    </div>
  );
}
