import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import { DOCS_PAGE } from '../openapi/docs-page';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
type Directives = Record<string, string[]>;

/**
 * The web app's policy: its own scripts, fonts, images and socket only, never framed. Scripts
 * are strict (the Vite build has no inline script). Styles allow 'unsafe-inline' because
 * xterm.js's DOM renderer writes its theme and cell sizes into `<style>` elements it creates
 * (nonce-less, so no hash or nonce can cover them; without it the terminal loses its font);
 * an injected style still cannot send anything out, as images, fonts and connections are
 * 'self' only. Nothing is loaded from elsewhere (an installation may have no internet). No
 * `upgrade-insecure-requests`: a gateway on plain HTTP inside a network must keep working.
 */
export const APP_CSP: Directives = {
  'default-src': ["'self'"],
  'base-uri': ["'none'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'worker-src': ["'self'", 'blob:'],
};

/** GET /api/docs is one self-contained page: its inline script and style are allowed by their hashes only. */
export const DOCS_CSP: Directives = {
  ...APP_CSP,
  'script-src': [inlineHash(DOCS_PAGE, 'script')],
  'style-src': [inlineHash(DOCS_PAGE, 'style')],
};

export function cspHeader(directives: Directives): string {
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** The hash source of the one inline `<tag>` of a page, as CSP computes it (its text, exactly). */
export function inlineHash(page: string, tag: 'script' | 'style'): string {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(page);
  if (!match) throw new Error(`the page has no inline <${tag}>`);
  return `'sha256-${createHash('sha256').update(match[1], 'utf8').digest('base64')}'`;
}

/** Headers beside the CSP, the same on every answer (socket.io's own HTTP answers take them too). */
export const STATIC_SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Security headers on every gateway answer (helmet): CSP with `frame-ancestors 'none'`,
 * nosniff, no referrer, no framing, HSTS (browsers honour it over HTTPS only).
 */
export function securityHeaders(): Middleware {
  const common = {
    xFrameOptions: { action: 'deny' as const },
    referrerPolicy: { policy: 'no-referrer' as const },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
    crossOriginOpenerPolicy: { policy: 'same-origin' as const },
    crossOriginResourcePolicy: { policy: 'same-origin' as const },
  };
  const app = helmet({ ...common, contentSecurityPolicy: { useDefaults: false, directives: APP_CSP } });
  const docs = helmet({ ...common, contentSecurityPolicy: { useDefaults: false, directives: DOCS_CSP } });
  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0];
    (path === '/api/docs' || path === '/api/docs/' ? docs : app)(req, res, next);
  };
}
