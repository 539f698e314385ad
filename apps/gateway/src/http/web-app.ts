import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/**
 * Serves the web build (apps/web/dist) with a single-page fallback: every GET that
 * is not an API, health or socket path gets index.html. Absent build: API only.
 */
export function serveWebApp(app: NestExpressApplication, dist: string): void {
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return;
  app.useStaticAssets(dist, { index: false, maxAge: '1h', setHeaders: (res, path) => path.endsWith('.html') && res.setHeader('Cache-Control', 'no-cache') });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' || /^\/(api|health|metrics|socket\.io)(\/|$)/.test(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
