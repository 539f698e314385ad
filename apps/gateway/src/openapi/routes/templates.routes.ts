import { CommandAccepted, DefineTemplateRequest, GetTemplateQuery, IdParams, ListTemplatesQuery, ProjectTemplatesQuery, ReadQuery, TemplateList, TemplateView } from '@baton/contracts';
import { route } from '../route';

const tag = 'templates';

export const TemplateRoutes = {
  listSessionTemplates: route({
    tag,
    operationId: 'listSessionTemplates',
    method: 'get',
    path: '/api/session-templates',
    summary: "Session templates: built-ins, the installation's, and (with `projectId`) a project's own",
    query: ListTemplatesQuery,
    status: 200,
    response: TemplateList,
    queries: ['list_session_templates'],
  }),
  listProjectSessionTemplates: route({
    tag,
    operationId: 'listProjectSessionTemplates',
    method: 'get',
    path: '/api/projects/:id/session-templates',
    summary: 'The session templates a project may use',
    params: IdParams,
    query: ProjectTemplatesQuery,
    status: 200,
    response: TemplateList,
    queries: ['get_project', 'list_session_templates'],
  }),
  getSessionTemplate: route({
    tag,
    operationId: 'getSessionTemplate',
    method: 'get',
    path: '/api/session-templates/:id',
    summary: 'Get a session template (its latest version)',
    description: "A project's own template is found with its `projectId` only. Secret env values (see `redactedEnv`) read as the marker, for every role.",
    params: IdParams,
    query: GetTemplateQuery,
    status: 200,
    response: TemplateView,
    queries: ['list_session_templates'],
  }),
  defineSessionTemplate: route({
    tag,
    idempotent: true,
    operationId: 'defineSessionTemplate',
    method: 'post',
    path: '/api/session-templates',
    summary: 'Define a session template, or a new version of one',
    description:
      'Only `name` and `argv` are required. `argv` runs as is, never interpolated: task data reaches the process as environment ' +
      '(`{{task.title}}` in `env` values, `$BATON_*`) and files. A changed spec adds a version; an unchanged one changes nothing. The answer\'s `id` is the template\'s. ' +
      'Secret env values (named in `secretEnv`, or `*_KEY`, `*_TOKEN`, `*_SECRET`, `*PASSWORD*`) are write-only: a read shows the marker, and the marker sent back ' +
      '(or a `secretEnv` name left out of `env`) keeps the stored value; with none stored it is a 400.',
    query: ReadQuery,
    body: DefineTemplateRequest,
    status: 201,
    response: CommandAccepted,
    errors: [409],
    commands: ['session_template.define'],
    queries: ['get_project'],
  }),
  removeSessionTemplate: route({
    tag,
    idempotent: true,
    operationId: 'removeSessionTemplate',
    method: 'delete',
    path: '/api/session-templates/:id',
    summary: 'Remove a session template (sessions already running keep their version)',
    params: IdParams,
    status: 200,
    response: CommandAccepted,
    commands: ['session_template.remove'],
  }),
};
