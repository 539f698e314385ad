import { useMemo, useState } from 'react';
import type { ProjectMetrics, UsageRollup } from '@baton/contracts';
import { describeError } from '../../../api/http';
import { Link } from '../../../app/router';
import { projectPath } from '../../../app/routes';
import { usePolled } from '../../../live/use-live';
import { ErrorBanner } from '../../../shared/ui/Banner';
import { DownloadIcon } from '../../../shared/ui/icons';
import { toast } from '../../../shared/ui/toast';
import { useProjectWindow } from '../../project/model/project-context';
import { sessionsApi } from '../../sessions/model/sessions-api';
import { formatTokens, formatUsd } from '../../sessions/model/sessions.store';
import { BOARD_COLUMNS, TASK_STATUS_LABEL } from '../../tasks/model/tasks.store';
import { formatDuration } from '../../timeline/model/gantt';
import { cumulative, histogram, niceMax } from '../model/charts';
import { downloadMetricsCsv, fleetApi } from '../model/fleet-api';

const pct = (n: number | null) => (n === null ? '—' : `${Math.round(n * 100)}%`);

export function UsagePage() {
  const { project, tasks, sessions } = useProjectWindow();
  const version = `${Object.keys(tasks.data ?? {}).length}|${Object.values(tasks.data ?? {}).filter((t) => t.status === 'done').length}|${Object.values(sessions.data ?? {}).reduce((n, s) => n + s.usage.costUsd, 0)}`;
  const metrics = usePolled<ProjectMetrics>((s) => fleetApi.metrics(project.id, s), `${project.id}|${version}`);
  const usage = usePolled<UsageRollup>((s) => sessionsApi.usage(project.id, {}, s), `${project.id}|${version}`);
  const [downloading, setDownloading] = useState(false);
  const m = tasks.data ?? {};
  const all = Object.values(m);

  const perTask = useMemo(() => {
    const rows = new Map<string, { cost: number; tokens: number; sessions: number }>();
    for (const s of Object.values(sessions.data ?? {})) {
      const key = s.taskIds.length === 1 ? s.taskIds[0] : s.taskIds.length ? 'shared' : 'none';
      const r = rows.get(key) ?? { cost: 0, tokens: 0, sessions: 0 };
      r.cost += s.usage.costUsd;
      r.tokens += s.usage.inputTokens + s.usage.outputTokens + s.usage.cacheReadTokens + s.usage.cacheWriteTokens;
      r.sessions += 1;
      rows.set(key, r);
    }
    return [...rows.entries()].sort((a, b) => b[1].cost - a[1].cost || b[1].tokens - a[1].tokens);
  }, [sessions.data]);
  const maxCost = Math.max(0.000001, ...perTask.map(([, r]) => r.cost));
  const doneTimes = all.filter((t) => t.doneAt && t.childCount === 0).map((t) => Date.parse(t.doneAt!) - Date.parse(t.createdAt));
  const mt = metrics.data;
  const completion = mt && mt.workTasks ? mt.tasksByStatus.done / mt.workTasks : null;

  return (
    <div className="page page--wide">
      <header className="page__header">
        <div>
          <h1 className="page__title">Usage & metrics</h1>
          <p className="page__subtitle">What the agents cost, and how fast work gets done. Rates count tasks without subtasks.</p>
        </div>
        <div className="page__actions">
          <button
            type="button"
            className="btn btn--ghost"
            disabled={downloading}
            data-testid="csv"
            onClick={() => {
              setDownloading(true);
              downloadMetricsCsv(project.id, project.name)
                .catch((e) => toast(describeError(e), 'error'))
                .finally(() => setDownloading(false));
            }}
          >
            <DownloadIcon size={13} /> Export CSV
          </button>
        </div>
      </header>
      {(metrics.error || usage.error) && <ErrorBanner>{metrics.error ?? usage.error}</ErrorBanner>}
      <div className="stats">
        <div className="stat">
          <span className="stat__label">Spent</span>
          <span className="stat__value" data-testid="cost-total">
            {formatUsd(usage.data?.costUsd ?? 0)}
          </span>
          <span className="stat__sub">
            {formatTokens((usage.data?.inputTokens ?? 0) + (usage.data?.outputTokens ?? 0))} tokens · {usage.data?.sessions ?? 0} sessions
          </span>
        </div>
        <div className="stat">
          <span className="stat__label">Completion rate</span>
          <span className="stat__value">{pct(completion)}</span>
          <span className="stat__sub">
            {mt?.tasksByStatus.done ?? 0} of {mt?.workTasks ?? 0} work tasks done
          </span>
        </div>
        <div className="stat">
          <span className="stat__label">Time to done</span>
          <span className="stat__value">{mt?.timeToDone.meanMs != null ? formatDuration(mt.timeToDone.meanMs) : '—'}</span>
          <span className="stat__sub">p90 {mt?.timeToDone.p90Ms != null ? formatDuration(mt.timeToDone.p90Ms) : '—'} · start→done {mt?.startToDone.meanMs != null ? formatDuration(mt.startToDone.meanMs) : '—'}</span>
        </div>
        <div className="stat">
          <span className="stat__label">Failure rate</span>
          <span className="stat__value">{pct(mt?.failureRate ?? null)}</span>
          <span className="stat__sub">
            {mt?.attemptsPerTask != null ? mt.attemptsPerTask.toFixed(1) : '—'} attempts · {mt?.sessionsPerTask != null ? mt.sessionsPerTask.toFixed(1) : '—'} sessions per task
          </span>
        </div>
      </div>

      <div className="charts">
        <section className="card">
          <h2 className="card__title">Tasks by status</h2>
          {mt && <StatusBars counts={mt.tasksByStatus} />}
        </section>
        <section className="card">
          <h2 className="card__title">Done over time</h2>
          <DoneOverTime instants={all.filter((t) => t.doneAt && t.childCount === 0).map((t) => Date.parse(t.doneAt!))} />
        </section>
        <section className="card">
          <h2 className="card__title">Time to done</h2>
          <Histogram values={doneTimes} />
        </section>
      </div>

      <section className="section">
        <h2 className="section__title">Cost per task</h2>
        <div className="table-wrap">
          <table className="table" data-testid="cost-per-task">
            <thead>
              <tr>
                <th>Task</th>
                <th style={{ width: 260 }}>Cost</th>
                <th style={{ width: 100 }}>Tokens</th>
                <th style={{ width: 90 }}>Sessions</th>
              </tr>
            </thead>
            <tbody>
              {perTask.map(([key, r]) => (
                <tr key={key} className="table__row">
                  <td>
                    {m[key] ? (
                      <Link to={projectPath(project.id, 'tasks', key)} className="table__primary">
                        <span className="mono muted">#{m[key].number}</span> {m[key].title}
                      </Link>
                    ) : (
                      <span className="muted">{key === 'shared' ? 'Sessions on several tasks' : key === 'none' ? 'Sessions without a task' : key}</span>
                    )}
                  </td>
                  <td>
                    <div className="load">
                      <div className="meter">
                        <span className="meter__fill" style={{ width: `${(r.cost / maxCost) * 100}%` }} />
                      </div>
                      <span className="mono small">{formatUsd(r.cost)}</span>
                    </div>
                  </td>
                  <td className="mono small">{formatTokens(r.tokens)}</td>
                  <td className="muted">{r.sessions}</td>
                </tr>
              ))}
              {perTask.length === 0 && (
                <tr>
                  <td colSpan={4} className="muted">
                    No session has reported usage yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

function StatusBars({ counts }: { counts: Record<string, number> }) {
  const max = niceMax(Math.max(1, ...Object.values(counts)));
  const rowH = 22;
  const W = 360;
  const L = 86;
  return (
    <svg width="100%" viewBox={`0 0 ${W} ${BOARD_COLUMNS.length * rowH + 4}`} className="chart" role="img" aria-label="Tasks by status">
      {BOARD_COLUMNS.map((s, i) => {
        const n = counts[s] ?? 0;
        const w = ((W - L - 30) * n) / max;
        return (
          <g key={s} transform={`translate(0,${i * rowH})`}>
            <text x={L - 8} y={15} textAnchor="end" className="chart__label">
              {TASK_STATUS_LABEL[s]}
            </text>
            <rect x={L} y={4} width={Math.max(n ? 2 : 0, w)} height={14} rx={3} className={`chart__bar chart__bar--${s}`} />
            <text x={L + w + 6} y={15} className="chart__value">
              {n}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function DoneOverTime({ instants }: { instants: number[] }) {
  const pts = cumulative(instants);
  const W = 360;
  const H = 170;
  const P = { l: 30, r: 10, t: 10, b: 22 };
  if (!pts.length) return <p className="muted chart__empty">No task done yet.</p>;
  const t0 = pts[0].t;
  const t1 = Math.max(pts[pts.length - 1].t, t0 + 60_000);
  const ymax = niceMax(pts.length);
  const x = (t: number) => P.l + ((t - t0) / (t1 - t0)) * (W - P.l - P.r);
  const y = (n: number) => H - P.b - (n / ymax) * (H - P.t - P.b);
  const d = pts.reduce((acc, p, i) => `${acc}${i ? ` H${x(p.t)}` : `M${x(p.t)},${y(0)}`} V${y(p.n)}`, '');
  return (
    <svg width="100%" viewBox={`0 0 ${W} ${H}`} className="chart" role="img" aria-label="Tasks done over time">
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line x1={P.l} x2={W - P.r} y1={y(ymax * f)} y2={y(ymax * f)} className="chart__grid" />
          <text x={P.l - 6} y={y(ymax * f) + 4} textAnchor="end" className="chart__label">
            {Math.round(ymax * f)}
          </text>
        </g>
      ))}
      <path d={`${d} H${W - P.r}`} className="chart__line" />
      <text x={P.l} y={H - 6} className="chart__label">
        {new Date(t0).toISOString().slice(11, 16)}
      </text>
      <text x={W - P.r} y={H - 6} textAnchor="end" className="chart__label">
        {new Date(t1).toISOString().slice(11, 16)}
      </text>
    </svg>
  );
}

function Histogram({ values }: { values: number[] }) {
  const bins = 8;
  const W = 360;
  const H = 170;
  const P = { l: 30, r: 10, t: 10, b: 22 };
  if (!values.length) return <p className="muted chart__empty">No task done yet.</p>;
  const h = histogram(values, bins);
  const ymax = niceMax(Math.max(...h.counts));
  const bw = (W - P.l - P.r) / bins;
  return (
    <svg width="100%" viewBox={`0 0 ${W} ${H}`} className="chart" role="img" aria-label="Time to done">
      {h.counts.map((c, i) => {
        const bh = (c / ymax) * (H - P.t - P.b);
        return <rect key={i} x={P.l + i * bw + 2} y={H - P.b - bh} width={bw - 4} height={bh} rx={2} className="chart__bar chart__bar--done" />;
      })}
      <line x1={P.l} x2={W - P.r} y1={H - P.b} y2={H - P.b} className="chart__grid" />
      <text x={P.l} y={H - 6} className="chart__label">
        0
      </text>
      <text x={W - P.r} y={H - 6} textAnchor="end" className="chart__label">
        {formatDuration(h.max)}
      </text>
      <text x={P.l - 6} y={P.t + 8} textAnchor="end" className="chart__label">
        {ymax}
      </text>
    </svg>
  );
}
