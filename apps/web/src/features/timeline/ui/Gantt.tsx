import { useEffect, useRef, useState } from 'react';
import { Link } from '../../../app/router';
import { formatDuration, timeScale, type Lane, type Mark } from '../model/gantt';

const LABEL_W = 168;
const LANE_H = 30;
const AXIS_H = 24;

interface Props {
  lanes: Lane[];
  domain: [number, number];
  /** A vertical line: now, or the replay's instant. */
  cursor?: number | null;
  /** Click on a mark or on the chart: seek there (the replay). */
  onSeek?: (at: number, mark?: Mark) => void;
  compact?: boolean;
}

/** Lanes of status segments and event marks on a time axis (reference/002's session Gantt). */
export function Gantt({ lanes, domain, cursor, onSeek, compact }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [hover, setHover] = useState<{ x: number; y: number; text: string } | null>(null);
  useEffect(() => {
    const ro = new ResizeObserver(([e]) => setWidth(Math.max(300, Math.floor(e.contentRect.width))));
    ro.observe(box.current!);
    return () => ro.disconnect();
  }, []);
  const laneH = compact ? 24 : LANE_H;
  const plotW = width - LABEL_W - 12;
  const scale = timeScale(domain[0], domain[1], plotW);
  const height = AXIS_H + lanes.length * laneH + 6;
  const X = (t: number) => LABEL_W + scale.x(t);

  const seekAt = (clientX: number) => {
    if (!onSeek || !box.current) return;
    const x = clientX - box.current.getBoundingClientRect().left - LABEL_W;
    if (x < 0) return;
    onSeek(scale.t(Math.min(plotW, x)));
  };

  return (
    <div className={`gantt${onSeek ? ' gantt--seekable' : ''}`} ref={box} data-testid="gantt">
      <svg width={width} height={height} role="img" aria-label="Timeline" onClick={(e) => seekAt(e.clientX)}>
        {scale.ticks.map((t) => (
          <g key={t.at}>
            <line x1={X(t.at)} x2={X(t.at)} y1={AXIS_H - 4} y2={height} className="gantt__grid" />
            <text x={X(t.at) + 4} y={14} className="gantt__tick">
              {t.label}
            </text>
          </g>
        ))}
        {lanes.map((lane, i) => {
          const y = AXIS_H + i * laneH;
          const mid = y + laneH / 2;
          return (
            <g key={lane.key} className={`gantt__lane gantt__lane--${lane.key.split(':')[0]}`} data-lane={lane.key}>
              <rect x={0} y={y} width={width} height={laneH} className={i % 2 ? 'gantt__band gantt__band--odd' : 'gantt__band'} />
              <foreignObject x={8} y={y} width={LABEL_W - 14} height={laneH}>
                <div className="gantt__label" title={lane.label}>
                  {lane.href ? <Link to={lane.href}>{lane.label}</Link> : lane.label}
                  {lane.sub && <span className="gantt__sub">{lane.sub}</span>}
                </div>
              </foreignObject>
              {lane.segments.map((s, k) => (
                <rect
                  key={k}
                  x={X(s.from)}
                  y={y + 6}
                  width={Math.max(2, X(s.to) - X(s.from))}
                  height={laneH - 12}
                  rx={3}
                  className={`gantt__seg gantt__seg--${s.tone}`}
                  onMouseMove={(e) => setHover({ x: e.clientX, y: e.clientY, text: `${s.label} · ${formatDuration(s.to - s.from)}` })}
                  onMouseLeave={() => setHover(null)}
                />
              ))}
              {lane.marks.map((m, k) => (
                <g
                  key={`${m.seq}-${k}`}
                  transform={`translate(${X(m.at)},${mid})`}
                  className={`gantt__mark gantt__mark--${m.kind}`}
                  onClick={(e) => {
                    if (!onSeek) return;
                    e.stopPropagation();
                    onSeek(m.at, m);
                  }}
                  onMouseMove={(e) => setHover({ x: e.clientX, y: e.clientY, text: `${new Date(m.at).toISOString().slice(11, 23)} · ${m.label}` })}
                  onMouseLeave={() => setHover(null)}
                  data-testid="gantt-mark"
                  data-kind={m.kind}
                >
                  {m.kind === 'progress' ? (
                    <>
                      <rect x={-1.5} y={-8} width={3} height={16} rx={1} />
                      {m.value !== undefined && m.value !== null && <rect x={-1.5} y={8 - 16 * m.value} width={3} height={16 * m.value} className="gantt__fill" rx={1} />}
                    </>
                  ) : m.kind === 'error' ? (
                    <path d="M0,-6 L6,5 L-6,5 Z" />
                  ) : m.kind === 'input' ? (
                    <circle r={5.5} />
                  ) : (
                    <path d="M0,-5.5 L5.5,0 L0,5.5 L-5.5,0 Z" />
                  )}
                </g>
              ))}
            </g>
          );
        })}
        {cursor != null && cursor >= domain[0] && cursor <= domain[1] && <line x1={X(cursor)} x2={X(cursor)} y1={AXIS_H - 6} y2={height} className="gantt__cursor" data-testid="gantt-cursor" />}
      </svg>
      {hover && (
        <div className="gantt__tip" style={{ left: hover.x + 12, top: hover.y + 12 }}>
          {hover.text}
        </div>
      )}
    </div>
  );
}
