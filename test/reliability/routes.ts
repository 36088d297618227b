import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { AccessRule } from '@mira/core';
import { collectAccessRules } from '../support/access-rules.js';
import { listOperations, type OpenApiSpec, type Operation } from '../support/openapi.js';

/** A documented operation with the @Access rule its handler declares (domain API's snapshot collector). */
export interface RuledOperation extends Operation {
  rule: AccessRule;
}

/** Every route of the running app, from /openapi.json, joined with its access rule. */
export function operationsWithRules(app: INestApplication, spec: OpenApiSpec): RuledOperation[] {
  const rules = collectAccessRules(app);
  return listOperations(spec).map((op) => {
    const rule = rules[`${op.method} ${op.path.replace(/\{(\w+)\}/g, ':$1')}`];
    if (!rule || rule === 'MISSING') throw new Error(`No access rule for ${op.key}`);
    return { ...op, rule: rule as AccessRule };
  });
}

/** Fills a path: given values by name, other *_id parameters with a random uuid, anything else with "probe". */
export function fillAny(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (values[name] !== undefined) return encodeURIComponent(values[name] as string);
    return name.endsWith('_id') && name !== 'client_id' && name !== 'stream_id' ? randomUUID() : 'probe';
  });
}
