import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import type { SessionReplay } from '@baton/contracts';
import { describeError } from '../../../api/http';
import { Link } from '../../../app/router';
import { projectPath } from '../../../app/routes';
import { usePolled } from '../../../live/use-live';
import { ErrorBanner } from '../../../shared/ui/Banner';
import { SessionStatusBadge } from '../../../shared/ui/Badges';
import { ArrowLeftIcon, DownloadIcon, PauseIcon, PlayIcon, ReplayIcon } from '../../../shared/ui/icons';
import { RelativeTime } from '../../../shared/ui/RelativeTime';
import { useProjectWindow } from '../../project/model/project-context';
import { sessionsApi } from '../../sessions/model/sessions-api';
import { formatUsd, isLive, sessionLabel, sortSessions } from '../../sessions/model/sessions.store';
import { fitScale } from '../../sessions/model/terminal-size';
import { TERMINAL_THEME } from '../../sessions/ui/TerminalView';
import { domainOf, formatDuration, sessionLanes, statusAt, type Mark } from '../../timeline/model/gantt';
import { useSessionTimeline } from '../../timeline/model/use-timelines';
import { Gantt } from '../../timeline/ui/Gantt';
import { parseCast, ReplayCursor, SPEEDS, type Cast } from '../model/replay-cursor';

export function ReplayPage({ sessionId }: { sessionId: string | null }) {
  return sessionId ? <Player sessionId={sessionId} /> : <Picker />;
}

function Picker() {
  const { project, sessions, tasks } = useProjectWindow();
  const ended = sortSessions(Object.values(sessions.data ?? {}).filter((s) => !isLive(s)));
  const m = tasks.data ?? {};
  return (
    <div className="page page--wide">
      <header className="page__header">
        <div>
          <h1 className="page__title">Replay</h1>
          <p className="page__subtitle">Pick a finished session: its terminal and its status, rebuilt from the event log, at any instant.</p>
        </div>
      </header>
      {ended.length === 0 ? (
        <div className="empty">
          <div className="empty__icon">
            <ReplayIcon size={22} />
          </div>
          <h2 className="empty__title">Nothing to replay yet</h2>
          <p className="empty__text">Sessions appear here once they have ended.</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="replay-list">
            <thead>
              <tr>
                <th>Session</th>
                <th style={{ width: 130 }}>Ended as</th>
                <th>Task</th>
                <th style={{ width: 120 }}>Duration</th>
                <th style={{ width: 120 }}>Ended</th>
              </tr>
            </thead>
            <tbody>
              {ended.map((s) => (
                <tr key={s.id} className="table__row">
                  <td>
                    <Link className="table__primary" to={projectPath(project.id, 'replay', s.id)}>
                      {sessionLabel(s, m)}
                    </Link>{' '}
                    <span className="mono muted">{s.id.slice(-8)}</span>
                  </td>
                  <td>
                    <SessionStatusBadge status={s.status} />
                  </td>
                  <td className="truncate">{s.taskIds.map((t) => (m[t] ? `#${m[t].number} ${m[t].title}` : t)).join(', ')}</td>
                  <td className="muted">{s.endedAt ? formatDuration(Date.parse(s.endedAt) - Date.parse(s.createdAt)) : '—'}</td>
                  <td className="muted">{s.endedAt && <RelativeTime iso={s.endedAt} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function Player({ sessionId }: { sessionId: string }) {
  const { project, sessions, tasks } = useProjectWindow();
  const s = sessions.data?.[sessionId];
  const full = useSessionTimeline(project.id, sessionId);
  const recording = usePolled((signal) => sessionsApi.exportCast(sessionId, signal), sessionId);
  const cast = useMemo<Cast | null>(() => (recording.data ? parseCast(recording.data.content, full.data?.timeline ?? []) : null), [recording.data, full.data]);
  const m = tasks.data ?? {};
  const castUrl = useMemo(() => (recording.data ? URL.createObjectURL(new Blob([recording.data.content], { type: 'application/x-asciicast' })) : null), [recording.data]);
  useEffect(() => () => void (castUrl && URL.revokeObjectURL(castUrl)), [castUrl]);

  const box = useRef<HTMLDivElement>(null);
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const cursor = useRef<ReplayCursor | null>(null);
  const [pos, setPos] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<(typeof SPEEDS)[number]>(4);
  const [at, setAt] = useState<SessionReplay | null>(null);
  const [atError, setAtError] = useState<string | null>(null);

  // The screen: a terminal of the recording's size, scaled to the box.
  useEffect(() => {
    if (!cast) return;
    const t = new Terminal({ cols: cast.width, rows: cast.height, fontFamily: "'JetBrains Mono Variable', ui-monospace, monospace", fontSize: 13, lineHeight: 1.15, theme: TERMINAL_THEME, disableStdin: true, scrollback: 1_000, cursorBlink: false });
    t.open(host.current!);
    term.current = t;
    cursor.current = new ReplayCursor(cast.frames);
    const rescale = () => {
      const screen = host.current?.querySelector<HTMLElement>('.xterm-screen');
      if (!screen || !box.current || !host.current) return;
      host.current.style.transform = `scale(${fitScale(box.current.getBoundingClientRect(), { width: screen.offsetWidth + 8, height: screen.offsetHeight + 8 })})`;
    };
    const ro = new ResizeObserver(rescale);
    ro.observe(box.current!);
    setTimeout(rescale, 50);
    // Start at the end: the screen as the session left it.
    apply(cast.duration);
    return () => {
      ro.disconnect();
      t.dispose();
      term.current = null;
      cursor.current = null;
    };
  }, [cast]);

  const apply = useCallback((t: number) => {
    const c = cursor.current;
    const x = term.current;
    if (!c || !x) return;
    const step = c.seek(t);
    if (step.reset) x.reset();
    if (step.data) x.write(step.data);
    setPos(c.position);
  }, []);

  // Playing: advance by wall time × speed on each animation frame.
  useEffect(() => {
    if (!playing || !cast) return;
    let last = performance.now();
    let raf = 0;
    const tick = (now: number) => {
      const c = cursor.current;
      if (!c) return;
      const dt = ((now - last) / 1_000) * speed;
      last = now;
      if (c.position + dt >= cast.duration) {
        apply(cast.duration);
        setPlaying(false);
        return;
      }
      const step = c.advance(dt);
      if (step.data) term.current?.write(step.data);
      setPos(c.position);
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [playing, speed, cast, apply]);

  const instant = cast ? cast.startMs + pos * 1_000 : null;
  // The session as the log says it was at that instant (debounced while scrubbing).
  useEffect(() => {
    if (instant === null || playing) return;
    const ctl = new AbortController();
    const t = setTimeout(() => {
      sessionsApi.replay(sessionId, new Date(instant).toISOString(), ctl.signal).then(
        (r) => {
          setAt(r);
          setAtError(null);
        },
        (e) => !ctl.signal.aborted && setAtError(describeError(e)),
      );
    }, 180);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [instant, playing, sessionId]);

  const end = s?.endedAt ? Date.parse(s.endedAt) : Date.now();
  const lanes = useMemo(() => (full.data ? sessionLanes(full.data, end, (id) => (m[id] ? `#${m[id].number} ${m[id].title}` : id.slice(-8))) : []), [full.data, end, m]);
  const domain = useMemo<[number, number]>(() => {
    const d = domainOf(lanes, end);
    return cast ? [Math.min(d[0], cast.startMs), Math.max(d[1], cast.startMs + cast.duration * 1_000)] : d;
  }, [lanes, end, cast]);
  const seekTo = (ms: number, _mark?: Mark) => {
    if (!cast) return;
    setPlaying(false);
    apply(Math.min(cast.duration, Math.max(0, (ms - cast.startMs) / 1_000)));
  };
  const localStatus = full.data && instant !== null ? statusAt(full.data.statuses, instant) : null;
  const shownStatus = playing ? localStatus : (at?.status ?? localStatus);
  const events = full.data?.timeline ?? [];
  const upto = instant ?? 0;

  return (
    <div className="page page--full">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={projectPath(project.id, 'replay')} className="crumbs__back">
          <ArrowLeftIcon size={14} /> Replay
        </Link>
      </nav>
      <header className="page__header">
        <div>
          <div className="page__title-row">
            <h1 className="page__title">Replay · {s ? sessionLabel(s, m) : sessionId.slice(-8)}</h1>
            {shownStatus && <SessionStatusBadge status={shownStatus} />}
          </div>
          <p className="page__subtitle" data-testid="replay-instant">
            {instant !== null ? `${new Date(instant).toISOString().replace('T', ' ').slice(0, 23)} UTC · T+${formatDuration(pos * 1_000)}` : 'Loading the recording…'}
            {at && !playing && ` · ${at.timeline.length} events so far · ${formatUsd(at.usage.costUsd)}`}
          </p>
        </div>
        <div className="page__actions">
          {recording.data && (
            <a
              className="btn btn--ghost"
              href={castUrl ?? undefined}
              download={recording.data.fileName}
            >
              <DownloadIcon size={13} /> .cast
            </a>
          )}
          {s && (
            <Link className="btn btn--ghost" to={projectPath(project.id, 'sessions', s.id)}>
              Session
            </Link>
          )}
        </div>
      </header>
      {s && isLive(s) && <ErrorBanner>This session is still running: the recording ends at the last chunk stored.</ErrorBanner>}
      {(recording.error || atError) && <ErrorBanner>{recording.error ?? atError}</ErrorBanner>}
      <div className="replay">
        <div className="replay__main">
          <div className="replay__screen" ref={box} data-testid="replay-screen">
            <div className="term__host" ref={host} />
            {!cast && <div className="term__overlay term__overlay--soft">{recording.loading ? 'Loading the recording…' : 'No recording'}</div>}
          </div>
          <div className="player" data-testid="player">
            <button type="button" className="btn btn--primary btn--icon" onClick={() => {
              if (!cast) return;
              if (!playing && pos >= cast.duration) apply(0);
              setPlaying((p) => !p);
            }} aria-label={playing ? 'Pause' : 'Play'} disabled={!cast}>
              {playing ? <PauseIcon size={14} /> : <PlayIcon size={14} />}
            </button>
            <input
              type="range"
              className="player__scrub"
              min={0}
              max={cast?.duration ?? 0}
              step={0.01}
              value={pos}
              onChange={(e) => {
                setPlaying(false);
                apply(Number(e.target.value));
              }}
              aria-label="Position"
              disabled={!cast}
            />
            <span className="mono player__time">
              {formatDuration(pos * 1_000)} / {formatDuration((cast?.duration ?? 0) * 1_000)}
            </span>
            <div className="seg" role="group" aria-label="Speed">
              {SPEEDS.map((x) => (
                <button key={x} type="button" className={`seg__btn${speed === x ? ' seg__btn--on' : ''}`} onClick={() => setSpeed(x)}>
                  ×{x}
                </button>
              ))}
            </div>
          </div>
        </div>
        <aside className="replay__side card">
          <h2 className="card__title">Events</h2>
          <ol className="events" data-testid="replay-events">
            {events.map((e) => {
              const t = Date.parse(e.at);
              return (
                <li key={e.seq} className={`events__row${t <= upto ? ' events__row--past' : ''}`}>
                  <button type="button" className="events__btn" onClick={() => seekTo(t)} title="Seek here">
                    <span className="mono muted events__t">{cast ? `T+${formatDuration(t - cast.startMs)}` : ''}</span>
                    <span className={`events__kind events__kind--${e.kind}`}>{e.kind.replace(/_/g, ' ')}</span>
                    <span className="events__msg truncate">{e.message}</span>
                  </button>
                </li>
              );
            })}
          </ol>
          {at && !playing && (
            <div className="replay__at">
              <span className="section-label">The log at this instant</span>
              <span data-testid="replay-status">
                {at.status} · {at.items.map((i) => `${m[i.taskId] ? `#${m[i.taskId].number}` : i.taskId} ${i.status}`).join(', ') || 'no task'} · {at.inputs.length} input{at.inputs.length === 1 ? '' : 's'}
              </span>
            </div>
          )}
        </aside>
      </div>
      <section className="card timeline-card">
        <h2 className="card__title">Timeline · click to seek</h2>
        {lanes.length > 0 && <Gantt lanes={lanes} domain={domain} cursor={instant} onSeek={seekTo} />}
      </section>
    </div>
  );
}
