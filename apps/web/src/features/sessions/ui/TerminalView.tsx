import { useEffect, useRef, useState } from 'react';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITheme } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { live, useLiveConnected } from '../../../live/use-live';
import type { TerminalHandle } from '../../../live/live-client';
import { fitScale, knownSize, rememberSize } from '../model/terminal-size';

export const TERMINAL_THEME: ITheme = {
  background: '#0a0c10',
  foreground: '#d7dae0',
  cursor: '#8b93ff',
  cursorAccent: '#0a0c10',
  selectionBackground: 'rgba(139,147,255,0.35)',
  black: '#1c2028',
  red: '#ff6b6b',
  green: '#3ecf8e',
  yellow: '#f2b94b',
  blue: '#6ea8ff',
  magenta: '#c792ea',
  cyan: '#56d4dd',
  white: '#d7dae0',
  brightBlack: '#5c6370',
  brightRed: '#ff8787',
  brightGreen: '#69dba6',
  brightYellow: '#f7cd72',
  brightBlue: '#91bdff',
  brightMagenta: '#d7aefb',
  brightCyan: '#7fe3ea',
  brightWhite: '#ffffff',
};

/** How often a watched (tile) terminal paints what arrived. */
const WATCH_FLUSH_MS = 250;

interface Props {
  sessionId: string;
  /**
   * `steer`: the terminal fits its box (FitAddon on a ResizeObserver) and the PTY is resized
   * to it. `watch`: it keeps the PTY's size and is scaled down to fit, so fifty small views
   * never fight over the agents' terminal sizes.
   */
  mode: 'steer' | 'watch';
  /** May type (an operator, on a live session). */
  interactive: boolean;
  /** Detached (off screen): output stops; the next attach starts from a fresh snapshot. */
  paused?: boolean;
  fontSize?: number;
  autoFocus?: boolean;
}

/**
 * One session's live terminal (xterm.js) over the tab's socket: a snapshot, then data,
 * each write acknowledged from xterm's write callback (the gateway's flow control), input
 * disabled while disconnected.
 */
export function TerminalView({ sessionId, mode, interactive, paused = false, fontSize = 13, autoFocus }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const handle = useRef<TerminalHandle | null>(null);
  const fit = useRef<FitAddon | null>(null);
  const rescale = useRef<() => void>(() => undefined);
  const connected = useLiveConnected();
  const [problem, setProblem] = useState<string | null>(null);
  const [attached, setAttached] = useState(false);
  /** Bumped when the xterm instance is (re)created, so attaching follows it. */
  const [generation, setGeneration] = useState(0);
  const [retry, setRetry] = useState(0);
  const canType = interactive && connected && attached;
  const canTypeRef = useRef(canType);
  canTypeRef.current = canType;

  // The terminal itself lives as long as the component.
  useEffect(() => {
    const size = knownSize(sessionId);
    const t = new Terminal({
      cols: size.cols,
      rows: size.rows,
      fontFamily: "'JetBrains Mono Variable', ui-monospace, Menlo, Consolas, monospace",
      fontSize,
      lineHeight: 1.15,
      scrollback: mode === 'steer' ? 5_000 : 500,
      theme: TERMINAL_THEME,
      cursorBlink: false,
      disableStdin: true,
      allowProposedApi: true,
      convertEol: false,
    });
    term.current = t;
    t.open(host.current!);
    if (mode === 'steer') {
      const f = new FitAddon();
      t.loadAddon(f);
      fit.current = f;
    }
    const sub = t.onData((d) => {
      if (canTypeRef.current) handle.current?.input(d);
    });
    // Watch mode: scale the PTY-sized screen down to the tile.
    rescale.current = () => {
      if (mode !== 'watch' || !box.current || !host.current) return;
      const screen = host.current.querySelector<HTMLElement>('.xterm-screen');
      if (!screen) return;
      const s = fitScale(box.current.getBoundingClientRect(), { width: screen.offsetWidth + 8, height: screen.offsetHeight + 8 });
      host.current.style.transform = `scale(${s})`;
    };
    let frame = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (mode === 'steer' && fit.current) {
          try {
            fit.current.fit();
          } catch {
            return; // not laid out yet
          }
          handle.current?.resize(t.cols, t.rows);
        } else rescale.current();
      });
    });
    ro.observe(box.current!);
    setGeneration((g) => g + 1);
    return () => {
      ro.disconnect();
      cancelAnimationFrame(frame);
      sub.dispose();
      t.dispose();
      term.current = null;
      fit.current = null;
    };
  }, [sessionId, mode, fontSize]);

  useEffect(() => {
    if (autoFocus) term.current?.focus();
  }, [autoFocus, generation]);

  // Attached while on screen and connected; a reconnect re-attaches (LiveClient) with a fresh snapshot.
  useEffect(() => {
    const t = term.current;
    if (!t || paused || generation === 0) return;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    if (mode === 'steer' && fit.current) {
      try {
        fit.current.fit();
      } catch {
        /* first layout pending */
      }
    }
    const size = mode === 'steer' ? { cols: t.cols, rows: t.rows } : knownSize(sessionId);
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      flushTimer = undefined;
      if (!pending.length) return;
      const all = new Uint8Array(pendingBytes);
      let at = 0;
      for (const p of pending) {
        all.set(p, at);
        at += p.byteLength;
      }
      const n = pendingBytes;
      pending = [];
      pendingBytes = 0;
      t.write(all, () => h.ack(n));
    };
    const h = live.attachTerminal(sessionId, size, {
      snapshot: (msg) => {
        // A snapshot replaces everything before it, including output not yet painted.
        if (pendingBytes) h.ack(pendingBytes);
        pending = [];
        pendingBytes = 0;
        rememberSize(sessionId, msg.cols, msg.rows);
        t.reset();
        if (mode === 'watch' && (t.cols !== msg.cols || t.rows !== msg.rows)) t.resize(msg.cols, msg.rows);
        t.write(msg.data, () => rescale.current());
        setAttached(true);
        setProblem(null);
      },
      data: (msg) => {
        const bytes = msg.data instanceof Uint8Array ? msg.data : new Uint8Array(msg.data);
        if (mode === 'steer') {
          t.write(bytes, () => h.ack(bytes.byteLength));
          return;
        }
        // A watched tile repaints a few times a second, not on every chunk: fifty screens
        // scrolling at once would otherwise take the whole main thread.
        pending.push(bytes);
        pendingBytes += bytes.byteLength;
        if (!flushTimer) flushTimer = setTimeout(flush, WATCH_FLUSH_MS + Math.random() * 60);
      },
      error: (message) => {
        // A session not running yet (or a runner restarting) has no terminal for a moment: try again.
        setProblem(message);
        if (retry < 40) retryTimer = setTimeout(() => setRetry((n) => n + 1), 1_500);
      },
    });
    handle.current = h;
    return () => {
      clearTimeout(retryTimer);
      clearTimeout(flushTimer);
      h.detach();
      handle.current = null;
      setAttached(false);
    };
  }, [sessionId, mode, paused, generation, retry]);

  useEffect(() => {
    if (term.current) term.current.options.disableStdin = !canType;
  }, [canType]);

  return (
    <div className={`term term--${mode}${canType ? ' term--live' : ''}`} ref={box} data-testid="terminal" data-session={sessionId} data-attached={attached ? 'true' : 'false'}>
      <div className="term__host" ref={host} />
      {paused && <div className="term__overlay term__overlay--soft">paused off screen</div>}
      {!paused && !connected && <div className="term__overlay">Disconnected — input paused, reconnecting…</div>}
      {problem && <div className="term__overlay term__overlay--error">{problem}</div>}
    </div>
  );
}
