import type { NextFunction, Request, Response } from 'express';

/** The API answers JSON only: nothing may be framed, sniffed, or load sub-resources. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Swagger UI and ReDoc: everything from this origin (inline styles, blob workers), nothing from the internet. */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
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
    const docs = /^\/(docs|redoc)(\/|$)/.test(req.path);
    res.setHeader('Content-Security-Policy', docs ? DOCS_CSP : API_CSP);
    if (options.hsts) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}
