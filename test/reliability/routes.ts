/** The route table, read from the app's own OpenAPI document, for suites that must cover every route. */

export interface RouteInfo {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path template, e.g. /api/v1/{network_id}/service/info */
  path: string;
  /** bearer-protected (not public) */
  secured: boolean;
  /** has a {network_id} parameter */
  networkScoped: boolean;
  /** documented 403 or description says owner-only; derived from the access rule snapshot when available */
  hasBody: boolean;
  multipart: boolean;
}

interface OpenApiOperation {
  security?: unknown[];
  requestBody?: { content?: Record<string, unknown> };
  responses: Record<string, unknown>;
}

export function routesFromSpec(spec: {
  paths: Record<string, Record<string, OpenApiOperation>>;
}): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const content = op.requestBody?.content ?? {};
      routes.push({
        method: method as RouteInfo['method'],
        path,
        secured: Array.isArray(op.security) && op.security.length > 0,
        networkScoped: path.includes('{network_id}'),
        hasBody: op.requestBody !== undefined,
        multipart: 'multipart/form-data' in content,
      });
    }
  }
  return routes;
}

/** Fills a path template: {network_id} with the given network, {client_id} with a device name, other ids random. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (values[name] !== undefined) return values[name] as string;
    if (name.endsWith('_id') && name !== 'client_id' && name !== 'stream_id') return crypto.randomUUID();
    return 'probe';
  });
}
