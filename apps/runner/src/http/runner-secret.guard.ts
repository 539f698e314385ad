import { timingSafeEqual } from 'node:crypto';
import { HttpException, HttpStatus, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { RUNNER_HTTP, type RunnerHttpDeps } from './runner-http.deps';

export const SECRET_HEADER = 'x-baton-runner-secret';

/** With `BATON_RUNNER_SECRET` set, every route but health needs the header (the gateway holds the secret). */
@Injectable()
export class RunnerSecretGuard implements CanActivate {
  constructor(@Inject(RUNNER_HTTP) private readonly deps: RunnerHttpDeps) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.deps.secret;
    if (!expected) return true;
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const given = req.headers[SECRET_HEADER];
    const a = Buffer.from(typeof given === 'string' ? given : '');
    const b = Buffer.from(expected);
    if (a.length === b.length && timingSafeEqual(a, b)) return true;
    throw new HttpException({ error: { code: 'unauthorized', message: `missing or wrong ${SECRET_HEADER} header` } }, HttpStatus.UNAUTHORIZED);
  }
}
