import { Controller, Inject } from '@nestjs/common';
import { QueryClient } from '@baton/event-store';
import type { SessionExport, SessionReplay, SessionView, UsageRollup } from '@baton/contracts';
import { AgentScope } from '../agents/agent-scope';
import { AgentRoute, CurrentCaller, CurrentPrincipal } from '../auth/auth.decorators';
import { Memberships } from '../membership/memberships';
import type { Caller, Principal } from '../auth/principal';
import type { ParamsOf, QueryOf } from '../openapi/route';
import { Route, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { SessionRoutes as R } from '../openapi/routes/sessions.routes';

interface Waiting {
  sessionId: string;
  reason: string;
  detail: string;
}

/** What happened in sessions: timelines, replay at an instant, recordings, the queue, usage. */
@Controller()
export class SessionHistoryController {
  constructor(
    @Inject(QueryClient) private readonly queries: QueryClient,
    @Inject(AgentScope) private readonly scope: AgentScope,
    @Inject(Memberships) private readonly memberships: Memberships,
  ) {}

  @Route(R.getSessionTimeline)
  @AgentRoute()
  async timeline(
    @RouteParams(R.getSessionTimeline) p: ParamsOf<typeof R.getSessionTimeline>,
    @RouteQuery(R.getSessionTimeline) q: QueryOf<typeof R.getSessionTimeline>,
    @CurrentCaller() caller: Caller,
  ) {
    // An unknown session is a 404, not an empty timeline.
    if (!(await this.scope.session(caller, 'session.read', p.id, q.minSeq))) await this.queries.ask('sessions', 'get_session', { id: p.id }, { minSeq: q.minSeq });
    const { minSeq, ...cut } = q;
    return this.queries.ask('sessions', 'session_timeline', { sessionId: p.id, ...cut }, { minSeq });
  }

  @Route(R.replaySession)
  replay(@RouteParams(R.replaySession) p: ParamsOf<typeof R.replaySession>, @RouteQuery(R.replaySession) q: QueryOf<typeof R.replaySession>): Promise<SessionReplay> {
    const { minSeq, ...until } = q;
    return this.queries.ask('sessions', 'replay_session', { sessionId: p.id, ...until }, { minSeq, timeoutMs: 30_000 });
  }

  @Route(R.exportSession)
  export(@RouteParams(R.exportSession) p: ParamsOf<typeof R.exportSession>, @RouteQuery(R.exportSession) q: QueryOf<typeof R.exportSession>): Promise<SessionExport> {
    const query = q.format === 'cast' ? 'export_asciicast' : 'export_transcript';
    return this.queries.ask('sessions', query, { sessionId: p.id }, { minSeq: q.minSeq, timeoutMs: 30_000 });
  }

  /** The queue in placement order, each with the scheduler's last word on why it waits. */
  @Route(R.pendingSessions)
  async pending(@RouteQuery(R.pendingSessions) q: QueryOf<typeof R.pendingSessions>, @CurrentPrincipal() principal: Principal) {
    // A user who is not an admin sees its projects' queue only (a projectId was checked by the guard).
    const visible = q.projectId ? 'all' : await this.memberships.visibleProjects(principal);
    const narrow = q.projectId ? { projectId: q.projectId } : visible === 'all' ? {} : { projectIds: visible };
    const [items, board] = await Promise.all([
      visible !== 'all' && visible.length === 0
        ? []
        : this.queries.ask<(SessionView & { position: number })[]>('sessions', 'pending_queue', { limit: q.limit, ...narrow }, { minSeq: q.minSeq }),
      this.queries.ask<{ at: string; items: Waiting[] }>('sessions', 'scheduler_waiting', {}).catch(() => null),
    ]);
    const why = new Map((board?.items ?? []).map((w) => [w.sessionId, { reason: w.reason, detail: w.detail }]));
    const scheduledAt = board && Date.parse(board.at) > 0 ? board.at : null;
    return { items: items.map((s) => ({ ...s, waiting: why.get(s.id) ?? null })), scheduledAt };
  }

  @Route(R.projectUsage)
  async usage(@RouteParams(R.projectUsage) p: ParamsOf<typeof R.projectUsage>, @RouteQuery(R.projectUsage) q: QueryOf<typeof R.projectUsage>): Promise<UsageRollup> {
    const { minSeq, ...narrow } = q;
    await this.queries.ask('tasks', 'get_project', { id: p.id }, { minSeq });
    return this.queries.ask('sessions', 'usage_rollup', { projectId: p.id, ...narrow }, { minSeq });
  }
}
