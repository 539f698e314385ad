import { useEffect, useState } from 'react';
import type { SessionReplay } from '@baton/contracts';
import { liveRoom } from '../../../live/rooms';
import { useLiveResource, type LiveResource } from '../../../live/use-live';
import { sessionsApi } from '../../sessions/model/sessions-api';
import { applyReplayEvent, emptyReplay } from './replay-events';

/** A session's statuses and timeline, live. */
export function useSessionTimeline(projectId: string, sessionId: string): LiveResource<SessionReplay> {
  return useLiveResource<SessionReplay>({
    key: `replay:${sessionId}`,
    rooms: [liveRoom.project(projectId)],
    load: (_minSeq, signal) => sessionsApi.replay(sessionId, undefined, signal),
    apply: applyReplayEvent,
  });
}

/** Every session of the project (the newest `max`), each with its statuses and timeline, live. */
export function useProjectTimelines(projectId: string, sessionIds: string[], max = 60): LiveResource<Record<string, SessionReplay>> {
  const ids = sessionIds.slice(0, max);
  const key = ids.join(',');
  return useLiveResource<Record<string, SessionReplay>>({
    key: `timelines:${projectId}:${key}`,
    rooms: [liveRoom.project(projectId)],
    load: async (_minSeq, signal) => {
      const out: Record<string, SessionReplay> = {};
      // Six at a time: a browser's connection limit per host.
      for (let i = 0; i < ids.length; i += 6) {
        const part = await Promise.all(ids.slice(i, i + 6).map((id) => sessionsApi.replay(id, undefined, signal).catch(() => emptyReplay(id))));
        part.forEach((r) => (out[r.sessionId] = r));
      }
      return out;
    },
    apply: (all, msg) => {
      const e = msg.event;
      if (e.aggregate.type !== 'session') return all;
      const id = e.aggregate.id;
      const before = all[id] ?? (e.type === 'session.requested' ? emptyReplay(id) : undefined);
      if (!before) return all;
      const after = applyReplayEvent(before, msg);
      return after === all[id] ? all : { ...all, [id]: after };
    },
  });
}

/** Now, every second (for "so far" bars). */
export function useNow(everyMs = 1_000, on = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs, on]);
  return now;
}
