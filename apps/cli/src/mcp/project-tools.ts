import { z } from 'zod';
import { REPOSITORY_LOCATION_FORMS, RepositoryLocationSchema } from '@baton/events';
import { seg } from '../api-client';
import { given, id, optionalId, tool } from './tool';

const project = (projectId: string) => `/api/projects/${seg(projectId)}`;

/** Projects, their plans and numbers, prompt templates, and who is asking. */
export const projectTools = [
  tool({
    name: 'whoami',
    title: 'Who am I',
    description: 'The user (and role) the token in force belongs to.',
    kind: 'read',
    input: {},
    run: (api) => api.get('/api/me'),
  }),
  tool({
    name: 'list_projects',
    title: 'List projects',
    description: 'Projects with their repository and status.',
    kind: 'read',
    input: {
      status: z.enum(['active', 'archived']).optional(),
      limit: z.number().int().min(1).max(500).optional(),
      offset: z.number().int().min(0).optional(),
    },
    run: (api, a) => api.get('/api/projects', given(a)),
  }),
  tool({
    name: 'get_project',
    title: 'Get a project',
    description: 'One project: repository, default branch, concurrency limit, status.',
    kind: 'read',
    input: { projectId: id('project') },
    run: (api, a) => api.get(project(a.projectId)),
  }),
  tool({
    name: 'create_project',
    title: 'Create a project',
    description: 'A project is a git repository and its tasks. Returns its id.',
    kind: 'write',
    input: {
      name: z.string().trim().min(1).max(200),
      repository: RepositoryLocationSchema.describe(`what the runners clone: ${REPOSITORY_LOCATION_FORMS}`),
      defaultBranch: z.string().min(1).max(200).optional().describe('default: main'),
      concurrencyLimit: z.number().int().positive().max(1_000).optional().describe('at most this many sessions at once'),
    },
    run: (api, a) =>
      api.post('/api/projects', { name: a.name, repository: { location: a.repository, defaultBranch: a.defaultBranch ?? 'main' }, ...given({ concurrencyLimit: a.concurrencyLimit }) }),
  }),
  tool({
    name: 'project_metrics',
    title: 'Project metrics',
    description: 'Tasks by status, time to done, failure rate, attempts and sessions per task.',
    kind: 'read',
    input: { projectId: id('project') },
    run: (api, a) => api.get(`${project(a.projectId)}/metrics`),
  }),
  tool({
    name: 'export_project',
    title: "Export a project's plan",
    description: 'The task tree with dependencies and details as a JSON document (format baton.task-tree) that import_project takes.',
    kind: 'read',
    input: { projectId: id('project') },
    run: (api, a) => api.get(`${project(a.projectId)}/export`),
  }),
  tool({
    name: 'import_project',
    title: 'Import a plan into a project',
    description: 'Add the tasks of a document from export_project to a project.',
    kind: 'write',
    input: { projectId: id('project'), tree: z.record(z.string(), z.unknown()).describe('the document export_project returned') },
    run: (api, a) => api.post(`${project(a.projectId)}/import`, a.tree),
  }),
  tool({
    name: 'list_prompt_templates',
    title: 'List prompt templates',
    description: "The global prompt templates, and a project's own when projectId is given.",
    kind: 'read',
    input: { projectId: optionalId('project') },
    run: (api, a) => api.get('/api/prompt-templates', given({ projectId: a.projectId })),
  }),
  tool({
    name: 'get_prompt_template',
    title: 'Get a prompt template',
    description: 'A template with every version (body, variables, note).',
    kind: 'read',
    input: { templateId: id('prompt template') },
    run: (api, a) => api.get(`/api/prompt-templates/${seg(a.templateId)}`),
  }),
  tool({
    name: 'get_prompt_version',
    title: 'Get a prompt version',
    description: 'One version: body, variables, note, the version it derives from.',
    kind: 'read',
    input: { promptVersionId: id('prompt version') },
    run: (api, a) => api.get(`/api/prompt-versions/${seg(a.promptVersionId)}`),
  }),
  tool({
    name: 'render_prompt',
    title: 'Render a prompt',
    description: 'The text a prompt version gives for a task, with variable values.',
    kind: 'read',
    input: { promptVersionId: id('prompt version'), taskId: id('task'), values: z.record(z.string(), z.string()).optional() },
    run: (api, a) => api.post(`/api/prompt-versions/${seg(a.promptVersionId)}/render`, { taskId: a.taskId, values: a.values ?? {} }),
  }),
];
