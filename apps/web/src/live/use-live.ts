import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { LiveEventMessage, LiveRoom } from '@baton/contracts';
import { credentials } from '../api/credentials';
import { describeError } from '../api/http';
import { LiveClient, type LiveState } from './live-client';
import { SnapshotFeed } from './live-cursor';

/** The tab's one live connection (started by the signed-in shell). */
export const live = new LiveClient(() => credentials.current);

export function useLiveState(): LiveState {
  return useSyncExternalStore(live.subscribe, live.getSnapshot);
}

/** Every event of `rooms` while mounted (no snapshot): for side effects such as notifications. */
export function useLiveEvents(rooms: LiveRoom[], onEvent: (msg: LiveEventMessage) => void): void {
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  });
  const key = rooms.join(',');
  useEffect(() => {
    if (!key) return;
    const w = live.watch(key.split(',') as LiveRoom[], { event: (m) => handler.current(m), resync: () => undefined });
    return w.stop;
  }, [key]);
}

export interface LiveResource<S> {
  data: S | null;
  connected: boolean;
  error: string | null;
  /** Reads the snapshot again (keeps showing the old one meanwhile). */
  reload: () => void;
}

export interface LiveResourceOptions<S> {
  rooms: LiveRoom[];
  /** Reads the snapshot; `minSeq` is the sequence the subscription started after. */
  load: (minSeq: number, signal: AbortSignal) => Promise<S>;
  /** Applies one event (return the same state when it does not concern this screen). */
  apply: (state: S, msg: LiveEventMessage) => S;
  /**
   * Some events change derived fields the client cannot compute (a task's `blockedBy`, a
   * rollup): when this says so, the snapshot is read again shortly after (coalesced).
   */
  reconcile?: (msg: LiveEventMessage) => boolean;
  /** Changing the key starts over. */
  key: string;
}

const RECONCILE_MS = 150;
const JOIN_WAIT_MS = 2_500;

/**
 * One live stream as the screens want it (CONVENTIONS, "Realtime UI"): `{ data, connected,
 * error }`, fed by a REST snapshot read at the subscription's sequence, then by the events
 * after it; a reconnect resumes from the last sequence (LiveClient), a `resync` reloads.
 */
export function useLiveResource<S>(opts: LiveResourceOptions<S>): LiveResource<S> {
  const o = useRef(opts);
  useEffect(() => {
    o.current = opts;
  });
  const state = useLiveState();
  const [data, setData] = useState<S | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reloadRef = useRef<() => void>(() => undefined);
  const roomsKey = opts.rooms.join(',');

  useEffect(() => {
    const feed = new SnapshotFeed<S>((s, m) => o.current.apply(s, m));
    let alive = true;
    let inflight: AbortController | null = null;
    let reconcileTimer: ReturnType<typeof setTimeout> | null = null;
    let joinedSeq: number | null = null;
    let failures = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;

    const load = async (minSeq: number) => {
      inflight?.abort();
      const ctl = new AbortController();
      inflight = ctl;
      feed.reset();
      try {
        const snap = await o.current.load(minSeq, ctl.signal);
        if (!alive || ctl.signal.aborted) return;
        feed.snapshot(snap, minSeq);
        setData(feed.data);
        setError(null);
        failures = 0;
      } catch (e) {
        if (!alive || ctl.signal.aborted) return;
        setError(describeError(e));
        // Keep what is shown; events keep coming and apply on top of it. Try again, backing off.
        if (feed.data !== null) feed.snapshot(feed.data, minSeq);
        failures++;
        clearTimeout(retryTimer);
        retryTimer = setTimeout(() => void load(minSeq), Math.min(15_000, 1_000 * 2 ** (failures - 1)));
      }
    };
    const rooms = roomsKey ? (roomsKey.split(',') as LiveRoom[]) : [];
    const w = rooms.length
      ? live.watch(rooms, {
          event: (msg) => {
            if (feed.event(msg)) setData(feed.data);
            if (o.current.reconcile?.(msg) && !reconcileTimer) {
              reconcileTimer = setTimeout(() => {
                reconcileTimer = null;
                void load(msg.seq);
              }, RECONCILE_MS);
            }
          },
          resync: () => void load(live.getSnapshot().lastSeq),
        })
      : null;
    reloadRef.current = () => void load(joinedSeq ?? 0);

    // Read the snapshot once the subscription stands (so no event falls between the two); if the
    // socket is down, read it anyway and read again once the subscription is there.
    let loadedEarly = false;
    const early = setTimeout(() => {
      loadedEarly = true;
      void load(0);
    }, w ? JOIN_WAIT_MS : 0);
    void w?.joined.then((seq) => {
      if (!alive) return;
      joinedSeq = seq;
      clearTimeout(early);
      void load(loadedEarly ? Math.max(seq, live.getSnapshot().lastSeq) : seq);
    });
    return () => {
      alive = false;
      clearTimeout(early);
      clearTimeout(retryTimer);
      if (reconcileTimer) clearTimeout(reconcileTimer);
      inflight?.abort();
      w?.stop();
    };
  }, [roomsKey, opts.key]);

  const reload = useCallback(() => reloadRef.current(), []);
  return { data, connected: state.status === 'connected', error, reload };
}

/** A plain REST read (no live stream), reloadable, optionally polled. */
export function usePolled<S>(load: (signal: AbortSignal) => Promise<S>, key: string, everyMs?: number): { data: S | null; error: string | null; loading: boolean; reload: () => void } {
  const fn = useRef(load);
  useEffect(() => {
    fn.current = load;
  });
  const [data, setData] = useState<S | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [n, setN] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      setLoading(true);
      try {
        const d = await fn.current(ctl.signal);
        if (ctl.signal.aborted) return;
        setData(d);
        setError(null);
      } catch (e) {
        if (ctl.signal.aborted) return;
        setError(describeError(e));
      } finally {
        if (!ctl.signal.aborted) setLoading(false);
      }
      if (everyMs && !ctl.signal.aborted) timer = setTimeout(run, everyMs);
    };
    void run();
    return () => {
      ctl.abort();
      clearTimeout(timer);
    };
  }, [key, n, everyMs]);
  return { data, error, loading, reload: useCallback(() => setN((x) => x + 1), []) };
}

/** Only whether the socket is up: components that need no more do not re-render on every event. */
export function useLiveConnected(): boolean {
  return useSyncExternalStore(live.subscribe, () => live.getSnapshot().status === 'connected');
}
