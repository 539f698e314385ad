import { Controller, Inject, Optional, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { AuthConfigView } from '@baton/contracts';
import { ApiError } from '../../http/api-error';
import { ClientAddress } from '../../http/client-address';
import type { QueryOf } from '../../openapi/route';
import { Route, RouteQuery } from '../../openapi/route.decorators';
import { AuthRoutes as R } from '../../openapi/routes/auth.routes';
import { FailedAuthLimiter } from '../failed-auth-limiter';
import { SignInRefused } from './oidc-provider-client';
import { OidcSignIn } from './oidc-sign-in';
import { cookieValue, STATE_COOKIE, STATE_TTL_MS } from './oidc-state';

export const OIDC_LOGGER = 'baton:oidc-logger';
const COOKIE_PATH = '/api/auth/oidc';

/**
 * Sign-in routes (docs/decisions/0028). The token and every error go back to the console in the
 * URL's fragment: browsers never send a fragment to a server, so neither this gateway's logs nor
 * a proxy's ever see it (and Referrer-Policy is no-referrer), and the page strips it at once.
 */
@Controller()
export class OidcController {
  constructor(
    @Optional() @Inject(OidcSignIn) private readonly sso: OidcSignIn | null,
    @Inject(FailedAuthLimiter) private readonly limiter: FailedAuthLimiter,
    @Inject(ClientAddress) private readonly clients: ClientAddress,
    @Inject(OIDC_LOGGER) private readonly logger: Logger,
  ) {}

  @Route(R.authConfig)
  config(): AuthConfigView {
    return { token: true, oidc: this.sso ? { providerName: this.sso.settings.providerName, loginPath: R.oidcLogin.path } : null };
  }

  @Route(R.oidcLogin)
  async login(@Req() req: Request, @Res() res: Response): Promise<void> {
    const sso = this.configured();
    try {
      const { url, cookie } = await sso.start(`${req.protocol}://${req.get('host')}${R.oidcCallback.path}`);
      res.cookie(STATE_COOKIE, cookie, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: COOKIE_PATH, maxAge: STATE_TTL_MS });
      res.redirect(302, url);
    } catch (e) {
      this.logger.warn({ err: e instanceof SignInRefused ? e.message : e }, 'single sign-on could not start');
      back(res, e instanceof SignInRefused ? e.message : 'single sign-on could not start');
    }
  }

  @Route(R.oidcCallback)
  async callback(@RouteQuery(R.oidcCallback) q: QueryOf<typeof R.oidcCallback>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const sso = this.configured();
    const client = this.clients.of(req);
    // The cookie serves one answer only, whatever it is.
    res.clearCookie(STATE_COOKIE, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: COOKIE_PATH });
    const blocked = this.limiter.retryAfter(client);
    if (blocked) return back(res, `too many failed sign-ins from your address; try again in ${blocked} s`);
    const refuse = (why: string) => {
      // Each refused answer counts once against the address, as a refused token does.
      this.limiter.failed(client, `oidc:${q.state}`);
      this.logger.warn({ client, why }, 'single sign-on refused');
      back(res, why);
    };
    const pending = sso.sealer.open(cookieValue(req.headers.cookie, STATE_COOKIE));
    if ('refused' in pending) return refuse(pending.refused === 'expired' ? 'the sign-in took too long; start again' : 'this sign-in was not started in this browser; start again');
    if (pending.state !== q.state) return refuse('the answer does not belong to the sign-in this browser started; start again');
    if (q.error) return refuse(`${sso.settings.providerName} did not sign you in: ${q.error_description ? `${q.error_description} (${q.error})` : q.error}`);
    if (!q.code) return refuse(`${sso.settings.providerName} sent no authorization code`);
    try {
      const done = await sso.finish(pending, new URL(req.originalUrl, 'http://x').search);
      this.logger.info({ userId: done.userId, role: done.role }, 'signed in with single sign-on');
      if (done.mapped) this.logger.warn({ userId: done.userId, role: done.role, groupsGive: done.mapped }, 'kept admin against its groups: the last admin who can sign in (make another admin first)');
      res.redirect(302, `/signin#token=${encodeURIComponent(done.token)}`);
    } catch (e) {
      if (e instanceof SignInRefused) return refuse(e.message);
      this.logger.error({ err: e }, 'single sign-on failed');
      back(res, 'the sign-in failed inside Baton; try again');
    }
  }

  private configured(): OidcSignIn {
    if (!this.sso) throw new ApiError(404, 'not_found', 'single sign-on is not configured (BATON_OIDC_ISSUER)');
    return this.sso;
  }
}

function back(res: Response, message: string): void {
  res.redirect(302, `/signin#error=${encodeURIComponent(message)}`);
}
