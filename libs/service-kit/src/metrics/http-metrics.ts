import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '@baton/event-store';
import type { ServiceMetrics } from './service-metrics';

/**
 * The route a request matched, as its pattern (`/api/projects/:id`), so labels stay few;
 * requests no route took are `unmatched` (404s) or `other` (static files, the web app).
 */
export function routeLabel(req: Pick<Request, 'baseUrl'> & { route?: { path?: unknown } }, status: number): string {
  const path = req.route?.path;
  if (typeof path === 'string') return `${req.baseUrl ?? ''}${path}` || '/';
  return status === 404 ? 'unmatched' : 'other';
}

/** Times every HTTP request from its first byte to the end of its answer (and logs it at debug). */
export function httpMetricsMiddleware(metrics: ServiceMetrics, logger?: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = metrics.httpDuration.startTimer();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const labels = { method: req.method, route: routeLabel(req, res.statusCode), status: String(res.statusCode) };
      const seconds = end(labels);
      // 'finish' runs outside the request's context: the id is taken from the answer.
      logger?.debug({ ...labels, ms: Math.round(seconds * 1000), correlationId: res.getHeader('x-correlation-id') }, 'http request');
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };
}

/** `GET /metrics`: the Prometheus text exposition, public like `/health`. */
export function metricsHandler(metrics: ServiceMetrics) {
  return (_req: Request, res: Response): void => {
    metrics.render().then(
      ({ contentType, body }) => {
        res.setHeader('Content-Type', contentType);
        res.setHeader('Cache-Control', 'no-store');
        res.status(200).send(body);
      },
      (e: unknown) => res.status(500).type('text/plain').send(`metrics failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  };
}
