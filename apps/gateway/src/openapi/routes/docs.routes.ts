import { z } from 'zod';
import { route } from '../route';

const tag = 'docs';

export const DocsRoutes = {
  openApiDocument: route({
    tag,
    public: true,
    operationId: 'openApiDocument',
    method: 'get',
    path: '/api/docs-json',
    summary: 'This document (OpenAPI 3.1)',
    status: 200,
    response: z.record(z.string(), z.unknown()),
  }),
  apiDocsPage: route({
    tag,
    public: true,
    operationId: 'apiDocsPage',
    method: 'get',
    path: '/api/docs',
    summary: 'This document, for people',
    status: 200,
    response: { mediaType: 'text/html', description: 'A self-contained page that renders /api/docs-json.' },
  }),
};
