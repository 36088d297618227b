import type { NextFunction, Request, Response } from 'express';

/** A line of the shipped apps: the version its launch check compares, and where Mira serves it. */
export interface AppLine {
  name: 'desktop-app' | 'dadei';
  /** The app version whose contract (test/contract/apps-contract.ts) this base path serves. */
  contractVersion: string;
  /** What an operator puts before /api in the app's URL setting: https://host/apps/<name>. */
  basePath: string;
}

/**
 * Each Electron app asks `GET {its URL}/` at launch and refuses a server whose `version` has another major than its
 * own (desktop-app 1, dadei 4). The request carries nothing that tells the lines apart (same axios, no header), so
 * each line gets a base path: its `GET /` answers that line's contract version, and everything below it is the one
 * API (the prefix is removed before routing, for HTTP and WebSocket upgrades alike).
 */
export const APP_LINES: readonly AppLine[] = [
  { name: 'desktop-app', contractVersion: '1.1.1', basePath: '/apps/desktop-app' },
  { name: 'dadei', contractVersion: '4.0.3', basePath: '/apps/dadei' },
];

const APP_LINE = Symbol('mira.appLine');
type LineRequest = Request & { [APP_LINE]?: AppLine };

/** The line a URL is addressed to and the URL without its base path, or null for a URL outside every line. */
export function stripAppLine(url: string): { line: AppLine; url: string } | null {
  for (const line of APP_LINES) {
    if (!url.startsWith(line.basePath)) continue;
    const rest = url.slice(line.basePath.length);
    if (rest === '' || rest.startsWith('/') || rest.startsWith('?')) {
      return { line, url: rest.startsWith('/') ? rest : `/${rest}` };
    }
  }
  return null;
}

/** Express middleware (first in the chain): serves /apps/<line>/… as /…, remembering the line. */
export function appLineMiddleware(req: Request, _res: Response, next: NextFunction): void {
  const found = stripAppLine(req.url);
  if (found) {
    (req as LineRequest)[APP_LINE] = found.line;
    req.url = found.url;
  }
  next();
}

/** The line whose base path the request came through, if any. */
export function appLineOf(req: Request): AppLine | undefined {
  return (req as LineRequest)[APP_LINE];
}
