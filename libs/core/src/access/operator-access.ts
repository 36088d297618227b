import { timingSafeEqual } from 'node:crypto';
import type { AppConfigValues } from '../config/config.schema.js';
import { CommonErrors } from '../errors/app-error.js';

/** Whether `Authorization: Bearer <token>` carries exactly `expected` (compared in constant time). */
export function bearerMatches(header: string | undefined, expected: string): boolean {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) return false;
  const given = Buffer.from(match[1] as string);
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * The `operator` access rule (metrics, detailed health): the operator token when one is configured (401 without
 * it); otherwise anyone if OPS_ENDPOINTS_PUBLIC, else 404 as if the route did not exist.
 */
export function checkOperatorAccess(
  config: Pick<AppConfigValues, 'metricsToken' | 'opsEndpointsPublic'>,
  authorization: string | undefined,
  path: string,
): void {
  if (config.metricsToken !== undefined) {
    if (!bearerMatches(authorization, config.metricsToken)) {
      throw CommonErrors.unauthenticated('This endpoint needs the operator token (METRICS_TOKEN)');
    }
    return;
  }
  if (!config.opsEndpointsPublic) throw CommonErrors.routeNotFound(`Cannot GET ${path}`);
}
