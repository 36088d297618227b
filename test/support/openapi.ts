import { randomUUID } from 'node:crypto';

/** Just enough of OpenAPI 3 for the generated suites (tenant matrix, fuzzer). */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

export interface OpenApiSpec {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Parameter[];
        requestBody?: { content?: Record<string, { schema?: Schema }> };
        responses?: Record<string, unknown>;
      }
    >
  >;
  components?: { schemas?: Record<string, Schema> };
}

export interface Operation {
  /** Upper case, e.g. GET. */
  method: string;
  /** OpenAPI path, e.g. /api/v1/{network_id}/persons/{person_id}. */
  path: string;
  /** "METHOD path": how suites name a route. */
  key: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  headerParams: Parameter[];
  /** JSON request body schema (resolved), if the route takes one. */
  body: Schema | null;
  /** The route takes a multipart/form-data body (an upload). */
  consumesMultipart: boolean;
  /** The statuses its documentation answers with ("200", "415", ...). */
  responses: string[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export function resolveSchema(spec: OpenApiSpec, schema: Schema | undefined): Schema {
  if (!schema) return {};
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolveSchema(spec, spec.components?.schemas?.[name]);
  }
  if (schema.allOf) {
    return schema.allOf.reduce<Schema>((acc, part) => {
      const r = resolveSchema(spec, part);
      return {
        ...acc,
        ...r,
        properties: { ...acc.properties, ...r.properties },
        required: [...(acc.required ?? []), ...(r.required ?? [])],
      };
    }, {});
  }
  return schema;
}

export function listOperations(spec: OpenApiSpec): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const params = op.parameters ?? [];
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      out.push({
        method: method.toUpperCase(),
        path,
        key: `${method.toUpperCase()} ${path}`,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        headerParams: params.filter((p) => p.in === 'header'),
        body: bodySchema ? resolveSchema(spec, bodySchema) : null,
        consumesMultipart: op.requestBody?.content?.['multipart/form-data'] !== undefined,
        responses: Object.keys(op.responses ?? {}),
      });
    }
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No value for path parameter ${name} in ${path}`);
    return encodeURIComponent(value);
  });
}

/** Whether a schema holds a uuid (or an array of uuids): the inputs a tenant can get wrong. */
export function isUuidSchema(schema: Schema | undefined): 'one' | 'many' | null {
  if (!schema) return null;
  if (schema.format === 'uuid') return 'one';
  if (schema.type === 'array' && schema.items?.format === 'uuid') return 'many';
  return null;
}

/**
 * A minimal VALID value for a schema: required properties only, examples and enums first, then bounds.
 * `override(name)` supplies values by property name (ids that must be real).
 */
export function exampleValue(
  spec: OpenApiSpec,
  raw: Schema | undefined,
  override: (name: string, schema: Schema) => unknown = () => undefined,
): unknown {
  const schema = resolveSchema(spec, raw);
  if (schema.type === 'object' || schema.properties) {
    const out: Record<string, unknown> = {};
    for (const name of schema.required ?? []) {
      const prop = resolveSchema(spec, schema.properties?.[name]);
      const given = override(name, prop);
      out[name] = given !== undefined ? given : exampleValue(spec, prop, override);
    }
    return out;
  }
  if (schema.example !== undefined) return schema.example;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.format === 'uuid') return randomUUID();
  switch (schema.type) {
    case 'string':
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () =>
        exampleValue(spec, schema.items, override),
      );
    default:
      return {};
  }
}
