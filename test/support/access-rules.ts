import { RequestMethod, VERSION_NEUTRAL, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, VERSION_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { ACCESS_RULE_KEY } from '@mira/core';

/** The app's default versions (app.factory.ts: URI versioning, defaultVersion ['1', '2']). */
const DEFAULT_VERSIONS = ['1', '2'];

/**
 * Every route of the running app ("METHOD /path", paths as served) with its @Access rule, read from the controller
 * metadata through Nest's DiscoveryService. A route without a rule maps to "MISSING".
 * Version-neutral controllers are served without the /api prefix (the health routes); others at /api/v{n}.
 */
export function collectAccessRules(app: INestApplication): Record<string, string> {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const out: Record<string, string> = {};
  for (const wrapper of discovery.getControllers()) {
    const metatype = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
    if (!metatype?.prototype) continue;
    const controllerPaths = toArray(
      Reflect.getMetadata(PATH_METADATA, metatype) as string | string[] | undefined,
    );
    const controllerVersion = Reflect.getMetadata(VERSION_METADATA, metatype) as unknown;
    for (const name of scanner.getAllMethodNames(metatype.prototype)) {
      const handler = (metatype.prototype as Record<string, unknown>)[name] as object;
      const methodPath = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (methodPath === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number] ?? 'UNKNOWN';
      const rule =
        (Reflect.getMetadata(ACCESS_RULE_KEY, handler) as string | undefined) ??
        (Reflect.getMetadata(ACCESS_RULE_KEY, metatype) as string | undefined) ??
        'MISSING';
      const version = (Reflect.getMetadata(VERSION_METADATA, handler) as unknown) ?? controllerVersion;
      const versions =
        version === VERSION_NEUTRAL
          ? [null]
          : toArray((version as string | string[] | undefined) ?? DEFAULT_VERSIONS);
      for (const base of controllerPaths.length ? controllerPaths : ['']) {
        for (const sub of toArray(methodPath)) {
          const tail = [base, sub]
            .map((p) => p.replace(/^\/+|\/+$/g, ''))
            .filter(Boolean)
            .join('/');
          for (const v of versions) {
            const path = v === null ? `/${tail}` : `/api/v${v}${tail ? `/${tail}` : ''}`;
            out[`${method} ${path}`] = rule;
          }
        }
      }
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([x], [y]) => x.localeCompare(y)));
}

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
