/**
 * A valid body for every route that requires one (by operationId), so a sweep can break exactly
 * one thing, or an authorization matrix can send what the route would accept. The ids a body
 * names are the caller's; `overrides` replace whole bodies (a project-scoped template, say).
 */
export function validBodies(ids: { userId: string; dependsOnTaskId: string; taskId: string }, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    createProject: { name: 'x', repository: { location: '/x' } },
    renameProject: { name: 'x' },
    changeProjectSettings: { concurrencyLimit: 2 },
    addProjectMember: { userId: ids.userId, role: 'viewer' },
    changeProjectMemberRole: { role: 'operator' },
    createTask: { title: 'x' },
    editTask: { title: 'x' },
    moveTask: { parentId: null },
    addTaskDependency: { dependsOnTaskId: ids.dependsOnTaskId },
    failTask: { reason: 'because' },
    startAttempt: {},
    addAttemptMessage: { text: 'x' },
    finishAttempt: { outcome: 'merged' },
    createPromptTemplate: { name: 'x', body: 'b' },
    addPromptVersion: { body: 'b' },
    renamePromptTemplate: { name: 'x' },
    renderPrompt: { taskId: ids.taskId },
    importTaskTree: { format: 'baton.task-tree', version: 1, tasks: [] },
    createUser: { name: 'x', role: 'viewer' },
    issueUserToken: {},
    changeUserRole: { role: 'viewer' },
    spawnSession: { templateId: 'shell' },
    spawnSessionInAttempt: { templateId: 'shell' },
    followUpAttempt: { text: 'x' },
    sendSessionInput: { text: 'x' },
    answerSessionPermission: { decision: 'approve' },
    reportSessionStatus: { status: 'idle' },
    reportSessionTimeline: { kind: 'milestone' },
    reportSessionUsage: { inputTokens: 1 },
    queueFail: { reason: 'because' },
    spawnWorker: { templateId: 'shell' },
    configureAutopilot: { enabled: true },
    pauseAutopilot: { reason: 'x' },
    decomposeTask: {},
    recordTaskPlan: { decision: 'execute', reason: 'x' },
    reviewTaskPlan: { accept: true },
    defineSessionTemplate: { spec: { name: 'x', argv: ['true'] } },
    setRunnerCapacity: { capacity: 1 },
    ...overrides,
  };
}
