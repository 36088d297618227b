import type { NextFunction, Request, Response } from 'express';

/** The API answers JSON only: nothing may be framed, sniffed, or load sub-resources. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Swagger UI (served from this origin, with inline styles) and ReDoc (its bundle comes from cdn.redoc.ly). */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self' https://cdn.redoc.ly",
  "style-src 'self' 'unsafe-inline' https://fonts.googleapis.com",
  "font-src 'self' https://fonts.gstatic.com data:",
  "img-src 'self' data: https://cdn.redoc.ly",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/**
 * Hand-rolled equivalent of helmet's defaults that matter for a JSON API: nosniff, no framing, no referrer,
 * a strict CSP (relaxed for the docs pages), and HSTS in production (TLS ends at the load balancer).
 */
export function securityHeadersMiddleware(options: { hsts: boolean }) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-site');
    res.setHeader('X-DNS-Prefetch-Control', 'off');
    res.setHeader('X-Permitted-Cross-Domain-Policies', 'none');
    const docs = req.path === '/docs' || req.path.startsWith('/docs/') || req.path === '/redoc';
    res.setHeader('Content-Security-Policy', docs ? DOCS_CSP : API_CSP);
    if (options.hsts) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}
