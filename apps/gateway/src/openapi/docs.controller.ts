import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller } from '@nestjs/common';
import { openApiDocument } from './openapi-document';
import { ALL_ROUTES, TAGS } from './registry';
import { Route } from './route.decorators';
import { DocsRoutes as R } from './routes/docs.routes';
import { DOCS_PAGE } from './docs-page';

function gatewayVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** The API description, generated from the route registry the controllers validate with. Public. */
@Controller()
export class DocsController {
  private document?: Record<string, unknown>;

  @Route(R.openApiDocument)
  json(): Record<string, unknown> {
    this.document ??= openApiDocument(ALL_ROUTES, { version: gatewayVersion(), tags: TAGS });
    return this.document;
  }

  @Route(R.apiDocsPage)
  page(): string {
    return DOCS_PAGE;
  }
}
