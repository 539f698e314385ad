import { useEffect, useRef, useState } from 'react';
import { Terminal, type IBufferCell } from '@xterm/xterm';
import { live, useLiveConnected } from '../../../live/use-live';
import { cellColor, previewFont } from '../model/preview-paint';
import { knownSize, rememberSize } from '../model/terminal-size';
import { TERMINAL_THEME } from './TerminalView';

/** How often a preview repaints at most, and the one timer all previews share. */
const PAINT_MS = 400;
const dirty = new Set<() => void>();
let painter: ReturnType<typeof setInterval> | undefined;
function schedule(paint: () => void): void {
  dirty.add(paint);
  painter ??= setInterval(() => {
    const batch = [...dirty];
    dirty.clear();
    for (const p of batch) p();
    if (!dirty.size && batch.length === 0) {
      clearInterval(painter);
      painter = undefined;
    }
  }, PAINT_MS);
}

const FG = TERMINAL_THEME.foreground ?? '#d7dae0';
const BG = TERMINAL_THEME.background ?? '#0a0c10';

interface Props {
  sessionId: string;
  paused: boolean;
}

/**
 * A session's live screen for the grid, cheap enough for fifty at once: xterm.js parses the
 * stream (a terminal that is never opened keeps its buffer but draws nothing) and the screen
 * is painted onto a canvas a few times a second. Same attach, snapshot, ack and pause rules as
 * TerminalView; clicking a tile swaps in a full TerminalView to type into.
 */
export function TerminalPreview({ sessionId, paused }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const connected = useLiveConnected();
  const [attached, setAttached] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [retry, setRetry] = useState(0);

  useEffect(() => {
    if (paused) return;
    const size = knownSize(sessionId);
    const term = new Terminal({ cols: size.cols, rows: size.rows, scrollback: 0, allowProposedApi: true });
    const c = canvas.current!;
    const ctx = c.getContext('2d', { alpha: false })!;
    let alive = true;
    let cell: IBufferCell | undefined;

    const paint = () => {
      if (!alive) return;
      const { width, height } = box.current!.getBoundingClientRect();
      if (width < 4 || height < 4) return;
      const dpr = Math.min(2, window.devicePixelRatio || 1);
      const w = Math.round(width * dpr);
      const h = Math.round(height * dpr);
      if (c.width !== w || c.height !== h) {
        c.width = w;
        c.height = h;
      }
      const font = previewFont(w, h, term.cols, term.rows);
      ctx.fillStyle = BG;
      ctx.fillRect(0, 0, w, h);
      ctx.textBaseline = 'top';
      const buf = term.buffer.active;
      let lastLine = '';
      for (let y = 0; y < term.rows; y++) {
        const line = buf.getLine(buf.viewportY + y);
        if (!line) continue;
        let run = '';
        let runX = 0;
        let runColor = '';
        let runBold = false;
        const flush = () => {
          if (!run.trim()) return;
          ctx.font = `${runBold ? 700 : 400} ${font.size}px 'JetBrains Mono Variable', ui-monospace, monospace`;
          ctx.fillStyle = runColor;
          ctx.fillText(run, font.padX + runX * font.charW, font.padY + y * font.lineH);
        };
        for (let x = 0; x < term.cols; x++) {
          cell = line.getCell(x, cell);
          if (!cell || cell.getWidth() === 0) continue;
          const { fg, bg } = cellColor(cell, FG, BG);
          if (bg !== BG) {
            ctx.fillStyle = bg;
            ctx.fillRect(font.padX + x * font.charW, font.padY + y * font.lineH, font.charW * cell.getWidth(), font.lineH);
          }
          const bold = cell.isBold() !== 0;
          const ch = cell.getChars() || ' ';
          if (fg !== runColor || bold !== runBold) {
            flush();
            run = '';
            runX = x;
            runColor = fg;
            runBold = bold;
          }
          run += ch;
        }
        flush();
        const text = line.translateToString(true);
        if (text.trim()) lastLine = text.trim();
      }
      // What a screen reader (and a test) can know of the picture: the last line on screen.
      c.setAttribute('aria-label', lastLine ? `Terminal: ${lastLine}` : 'Terminal');
    };
    const onParsed = term.onWriteParsed(() => schedule(paint));
    const ro = new ResizeObserver(() => schedule(paint));
    ro.observe(box.current!);

    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    const h = live.attachTerminal(sessionId, size, {
      snapshot: (msg) => {
        rememberSize(sessionId, msg.cols, msg.rows);
        term.reset();
        if (term.cols !== msg.cols || term.rows !== msg.rows) term.resize(msg.cols, msg.rows);
        term.write(msg.data);
        setAttached(true);
        setProblem(null);
      },
      data: (msg) => {
        const bytes = msg.data instanceof Uint8Array ? msg.data : new Uint8Array(msg.data);
        term.write(bytes, () => h.ack(bytes.byteLength));
      },
      error: (message) => {
        setProblem(message);
        if (retry < 40) retryTimer = setTimeout(() => setRetry((n) => n + 1), 1_500);
      },
    });
    return () => {
      alive = false;
      clearTimeout(retryTimer);
      dirty.delete(paint);
      onParsed.dispose();
      ro.disconnect();
      h.detach();
      term.dispose();
      setAttached(false);
    };
  }, [sessionId, paused, retry]);

  return (
    <div className="term term--preview" ref={box} data-testid="terminal" data-session={sessionId} data-attached={attached ? 'true' : 'false'} data-preview="true">
      <canvas ref={canvas} className="term__canvas" role="img" aria-label="Terminal" />
      {paused && <div className="term__overlay term__overlay--soft">paused off screen</div>}
      {!paused && !connected && <div className="term__overlay">Disconnected — reconnecting…</div>}
      {problem && !attached && <div className="term__overlay term__overlay--error">{problem}</div>}
    </div>
  );
}
