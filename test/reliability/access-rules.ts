import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ACCESS_RULE_KEY, type AccessRule } from '@mira/core';
import { routesFromSpec, type RouteInfo } from './routes.js';

export interface RuledRoute extends RouteInfo {
  rule: AccessRule;
  operationId: string;
}

/**
 * Every documented route with the access rule its handler declares, matched through the OpenAPI operationId
 * (`Controller_method`). Read from the running app, so a new route is covered without editing the test.
 */
export function routesWithRules(
  app: INestApplication,
  spec: { paths: Record<string, Record<string, { operationId?: string }>> },
): RuledRoute[] {
  const handlers = new Map<string, AccessRule | undefined>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: unknown[]) => object) | undefined;
      if (!type?.prototype) continue;
      const classRule = Reflect.getMetadata(ACCESS_RULE_KEY, type) as AccessRule | undefined;
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        if (name === 'constructor') continue;
        const fn = (type.prototype as Record<string, unknown>)[name];
        if (typeof fn !== 'function') continue;
        const rule = (Reflect.getMetadata(ACCESS_RULE_KEY, fn) as AccessRule | undefined) ?? classRule;
        handlers.set(`${type.name}_${name}`, rule);
      }
    }
  }
  const infos = routesFromSpec(spec as never);
  return infos.map((info) => {
    const operationId = spec.paths[info.path]?.[info.method]?.operationId ?? '';
    const rule = handlers.get(operationId);
    if (!rule) throw new Error(`No access rule found for ${info.method} ${info.path} (${operationId})`);
    return { ...info, rule, operationId };
  });
}
