import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { describeError } from '../../../api/http';
import { GlobalNav } from '../../../app/GlobalNav';
import { Link } from '../../../app/router';
import { projectPath, type ProjectTab, type Route } from '../../../app/routes';
import { ErrorBanner } from '../../../shared/ui/Banner';
import {
  AutopilotIcon,
  ArrowLeftIcon,
  BoardIcon,
  ChartIcon,
  FolderIcon,
  GraphIcon,
  HomeIcon,
  ReplayIcon,
  ReviewIcon,
  TerminalIcon,
  TimelineIcon,
  TreeIcon,
} from '../../../shared/ui/icons';
import { useProject } from '../../projects/model/use-project';
import { SessionDetailPage } from '../../sessions/ui/SessionDetailPage';
import { SessionsPage } from '../../sessions/ui/SessionsPage';
import { ReplayPage } from '../../replay/ui/ReplayPage';
import { BoardPage } from '../../tasks/ui/BoardPage';
import { GraphPage } from '../../tasks/ui/GraphPage';
import { TaskDetailPage } from '../../tasks/ui/TaskDetailPage';
import { TreePage } from '../../tasks/ui/TreePage';
import { ProjectTimelinePage } from '../../timeline/ui/ProjectTimelinePage';
import { UsagePage } from '../../fleet/ui/UsagePage';
import { AutopilotPage } from '../../autopilot/ui/AutopilotPage';
import { ProjectProvider, useProjectWindow } from '../model/project-context';
import { NeedsInputBanner } from './NeedsInputBanner';
import { OverviewPage } from './OverviewPage';
import { setPageTitle } from '../../../shared/lib/title';

type ProjectRoute = Extract<Route, { name: 'project' }>;

// The review screen carries the syntax highlighter: loaded when first opened.
const ReviewPage = lazy(() => import('../../review/ui/ReviewPage').then((m) => ({ default: m.ReviewPage })));

const TABS: { tab: ProjectTab; label: string; path: string; icon: ReactNode; also?: ProjectTab[] }[] = [
  { tab: 'overview', label: 'Overview', path: '', icon: <HomeIcon /> },
  { tab: 'board', label: 'Board', path: 'board', icon: <BoardIcon /> },
  { tab: 'tasks', label: 'Tasks', path: 'tasks', icon: <TreeIcon />, also: ['task'] },
  { tab: 'graph', label: 'Dependencies', path: 'graph', icon: <GraphIcon /> },
  { tab: 'autopilot', label: 'Autopilot', path: 'autopilot', icon: <AutopilotIcon /> },
  { tab: 'sessions', label: 'Sessions', path: 'sessions', icon: <TerminalIcon />, also: ['session'] },
  { tab: 'timeline', label: 'Timeline', path: 'timeline', icon: <TimelineIcon /> },
  { tab: 'replay', label: 'Replay', path: 'replay', icon: <ReplayIcon /> },
  { tab: 'review', label: 'Review', path: 'review', icon: <ReviewIcon /> },
  { tab: 'usage', label: 'Usage & metrics', path: 'usage', icon: <ChartIcon /> },
];

/**
 * A project window (`/projects/:id/*`): opens in a tab of its own and follows only
 * `project:<id>`. Every tab inside shares the project's live tasks and sessions.
 */
export function ProjectWindowPage({ route }: { route: ProjectRoute }) {
  const project = useProject(route.id);
  const missing = project.status === 'error' && (project.error.code === 'not_found' || project.error.code === 'validation');
  return (
    <>
      {project.status === 'ready' ? (
        <ProjectProvider project={project.project}>
          <ProjectNav route={route} />
          <main className="main" id="main">
            <NeedsInputBanner />
            <ProjectScreen route={route} />
          </main>
        </ProjectProvider>
      ) : (
        <>
          <nav className="sidenav" aria-label="Main">
            <GlobalNav section="projects" />
          </nav>
          <main className="main" id="main">
            <div className="page">
              {project.status === 'loading' && (
                <div aria-busy="true" aria-label="Loading project">
                  <span className="skeleton skeleton--title" />
                  <div className="card">
                    {[0, 1, 2, 3].map((i) => (
                      <span key={i} className="skeleton" style={{ width: `${70 - i * 12}%`, margin: '14px 0' }} />
                    ))}
                  </div>
                </div>
              )}
              {missing && (
                <div className="empty" data-testid="project-not-found">
                  <div className="empty__icon">
                    <FolderIcon size={22} />
                  </div>
                  <h2 className="empty__title">Project not found</h2>
                  <p className="empty__text">
                    There is no project <code className="mono">{route.id}</code>. It may have been deleted, or the link is wrong.
                  </p>
                  <Link to="/projects" className="btn btn--ghost">
                    Back to projects
                  </Link>
                </div>
              )}
              {project.status === 'error' && !missing && (
                <ErrorBanner
                  action={
                    <button type="button" className="btn btn--ghost btn--sm" onClick={project.retry}>
                      Retry
                    </button>
                  }
                >
                  Could not load this project. {describeError(project.error)}
                </ErrorBanner>
              )}
            </div>
          </main>
        </>
      )}
    </>
  );
}

function ProjectNav({ route }: { route: ProjectRoute }) {
  const { project, sessions, tasks } = useProjectWindow();
  const s = Object.values(sessions.data ?? {});
  const asking = s.filter((x) => x.status === 'needs_input').length;
  const running = s.filter((x) => !['completed', 'failed', 'stopped', 'succeeded', 'exited'].includes(x.status)).length;
  const reviews = Object.values(tasks.data ?? {}).filter((t) => t.status === 'in_review').length;
  const count = (tab: ProjectTab) => (tab === 'sessions' ? (asking ? { n: asking, warn: true } : running ? { n: running } : null) : tab === 'review' && reviews ? { n: reviews } : null);
  return (
    <nav className="sidenav" aria-label="Main">
      <Link to="/projects" className="sidenav__back">
        <ArrowLeftIcon size={13} />
        All projects
      </Link>
      <div className="sidenav__project" title={project.repository.location}>
        <span className="sidenav__project-name" data-testid="window-project">
          {project.name}
        </span>
        <span className="sidenav__project-repo mono">{project.repository.location.split('/').slice(-2).join('/')}</span>
      </div>
      <ul className="sidenav__list" aria-label="Project">
        {TABS.map((t) => {
          const active = route.tab === t.tab || !!t.also?.includes(route.tab);
          const c = count(t.tab);
          return (
            <li key={t.tab}>
              <Link to={t.path ? projectPath(project.id, t.path) : projectPath(project.id)} className={`sidenav__item${active ? ' sidenav__item--active' : ''}`} aria-current={active ? 'page' : undefined}>
                {t.icon}
                <span>{t.label}</span>
                {c && <span className={`sidenav__count${c.warn ? ' sidenav__count--warn' : ''}`}>{c.n}</span>}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function ProjectScreen({ route }: { route: ProjectRoute }) {
  const { project } = useProjectWindow();
  const label = TABS.find((t) => t.tab === route.tab || t.also?.includes(route.tab))?.label ?? '';
  useEffect(() => {
    setPageTitle(route.tab === 'overview' ? `${project.name} · Baton` : `${label} · ${project.name} · Baton`);
  }, [project.name, route.tab, label]);
  switch (route.tab) {
    case 'overview':
      return <OverviewPage />;
    case 'board':
      return <BoardPage />;
    case 'tasks':
      return <TreePage />;
    case 'task':
      return <TaskDetailPage key={route.sub} taskId={route.sub!} />;
    case 'graph':
      return <GraphPage />;
    case 'autopilot':
      return <AutopilotPage />;
    case 'sessions':
      return <SessionsPage />;
    case 'session':
      return <SessionDetailPage key={route.sub} sessionId={route.sub!} />;
    case 'timeline':
      return <ProjectTimelinePage />;
    case 'replay':
      return <ReplayPage key={route.sub ?? ''} sessionId={route.sub} />;
    case 'review':
      return (
        <Suspense fallback={<div className="page"><span className="skeleton skeleton--title" /></div>}>
          <ReviewPage key={route.sub ?? ''} attemptId={route.sub} />
        </Suspense>
      );
    case 'usage':
      return <UsagePage />;
  }
}
