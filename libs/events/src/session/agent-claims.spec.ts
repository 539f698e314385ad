import { canAgent, claimsForSession, type AgentClaims } from './agent-claims';

const worker: AgentClaims = { sessionId: 's1', projectId: 'p1', attemptId: 'a1', taskIds: ['t1'], role: 'worker', parentSessionId: 'o1' };
const orchestrator: AgentClaims = { sessionId: 'o1', projectId: 'p1', attemptId: null, taskIds: ['t1', 't2'], role: 'orchestrator', parentSessionId: null };
const session = (sessionId: string, parentSessionId: string | null, projectId = 'p1') => ({ sessionId, parentSessionId, projectId });

describe(canAgent.name, () => {
  it('reports only on its own session', () => {
    for (const action of ['session.report', 'session.report_status', 'session.report_usage', 'session.register', 'session.queue'] as const) {
      expect(canAgent(worker, action, { sessionId: 's1' })).toEqual({ allowed: true });
      expect(canAgent(worker, action, { sessionId: 's2' })).toEqual({ allowed: false, reason: 'an agent reports only on its own session (s1)' });
    }
  });

  it('reports only on its own tasks', () => {
    expect(canAgent(worker, 'session.report', { sessionId: 's1', taskId: 't1' }).allowed).toBe(true);
    expect(canAgent(worker, 'session.report', { sessionId: 's1', taskId: 't2' })).toEqual({ allowed: false, reason: "task t2 is not one of this session's tasks" });
    expect(canAgent(worker, 'task.report', { taskId: 't1', attemptId: 'a1' }).allowed).toBe(true);
    expect(canAgent(worker, 'task.report', { taskId: 't1', attemptId: 'a9' }).allowed).toBe(false);
    expect(canAgent(worker, 'task.report', { taskId: 't9', attemptId: null }).allowed).toBe(false);
  });

  it('spawns workers only if its role allows, as their parent, in its project, never orchestrators', () => {
    const spawn = (claims: AgentClaims, o: Partial<{ projectId: string; parentSessionId: string | null; role: 'worker' | 'orchestrator' }> = {}) =>
      canAgent(claims, 'session.spawn_worker', { projectId: 'p1', parentSessionId: claims.sessionId, role: 'worker', taskIds: ['t2'], ...o });
    expect(spawn(orchestrator)).toEqual({ allowed: true });
    expect(spawn({ ...orchestrator, role: 'planner' }).allowed).toBe(true);
    expect(spawn(worker)).toEqual({ allowed: false, reason: 'a worker may not spawn sessions' });
    expect(spawn(orchestrator, { projectId: 'p2' }).allowed).toBe(false);
    expect(spawn(orchestrator, { parentSessionId: null }).allowed).toBe(false);
    expect(spawn(orchestrator, { parentSessionId: 'someone-else' }).allowed).toBe(false);
    expect(spawn(orchestrator, { role: 'orchestrator' }).allowed).toBe(false);
  });

  it('talks to its parent, its workers and its siblings; not to strangers or into its own terminal', () => {
    expect(canAgent(worker, 'session.send_input', session('o1', null)).allowed).toBe(true);
    expect(canAgent(worker, 'session.send_input', session('s2', 'o1')).allowed).toBe(true);
    expect(canAgent(orchestrator, 'session.send_input', session('s1', 'o1')).allowed).toBe(true);
    expect(canAgent(worker, 'session.send_input', session('x9', null)).allowed).toBe(false);
    expect(canAgent(worker, 'session.send_input', session('s1', 'o1')).allowed).toBe(false);
    expect(canAgent(worker, 'session.read', session('s1', 'o1')).allowed).toBe(true);
    expect(canAgent(worker, 'session.read', session('o1', null, 'p2')).allowed).toBe(false);
    const loner = { ...worker, parentSessionId: null };
    expect(canAgent(loner, 'session.read', session('x1', null)).allowed).toBe(false);
  });

  it('stops only itself and its own workers', () => {
    expect(canAgent(orchestrator, 'session.stop', session('s1', 'o1')).allowed).toBe(true);
    expect(canAgent(worker, 'session.stop', session('s1', 'o1')).allowed).toBe(true);
    expect(canAgent(worker, 'session.stop', session('o1', null))).toEqual({ allowed: false, reason: 'an agent stops only itself and its own workers' });
    expect(canAgent(worker, 'session.stop', session('s2', 'o1')).allowed).toBe(false);
  });

  it('reads tasks of its own project only', () => {
    expect(canAgent(worker, 'task.read', { projectId: 'p1', taskId: 't7' }).allowed).toBe(true);
    expect(canAgent(worker, 'task.read', { projectId: 'p2', taskId: 't7' }).allowed).toBe(false);
  });

  it('derives a session’s claims from its request', () => {
    expect(claimsForSession('s1', { projectId: 'p1', attemptId: 'a1', taskIds: ['t1'], role: 'worker', parentSessionId: 'o1' })).toEqual(worker);
  });
});
