import { Injectable, PipeTransform } from '@nestjs/common';
import { registerDecorator, ValidationOptions } from 'class-validator';
import { assertUuidParam } from '../access/uuid.js';

/** Path parameter pipe: a malformed id is a 422 that names the parameter; ids leave it lower-cased. */
@Injectable()
export class UuidParamPipe implements PipeTransform<unknown, string> {
  constructor(private readonly name: string) {}

  transform(value: unknown): string {
    return assertUuidParam(this.name, value);
  }
}

/** Text PostgreSQL can store: no NUL character and no lone UTF-16 surrogate. */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Limits on free-form JSON objects (metadata): size of the JSON text, keys at the top level, nesting depth. */
export interface JsonObjectBounds {
  maxBytes: number;
  maxKeys: number;
  maxDepth: number;
}

export const DEFAULT_METADATA_BOUNDS: JsonObjectBounds = { maxBytes: 16_384, maxKeys: 50, maxDepth: 8 };

/** Why a value is not an acceptable JSON object under these bounds, or null when it is. */
export function jsonObjectProblem(value: unknown, bounds: JsonObjectBounds = DEFAULT_METADATA_BOUNDS) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be a JSON object';
  if (Object.keys(value).length > bounds.maxKeys) return `must have at most ${bounds.maxKeys} keys`;
  const problem = walk(value, 1, bounds.maxDepth);
  if (problem) return problem;
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > bounds.maxBytes) return `must be at most ${bounds.maxBytes} bytes of JSON (got ${bytes})`;
  return null;
}

function walk(value: unknown, depth: number, maxDepth: number): string | null {
  if (typeof value === 'string')
    return isStorableText(value) ? null : 'must not contain NUL or lone surrogates';
  if (typeof value !== 'object' || value === null) return null;
  if (depth > maxDepth) return `must not nest deeper than ${maxDepth} levels`;
  const entries = Array.isArray(value) ? value.map((v) => ['', v] as const) : Object.entries(value);
  for (const [key, child] of entries) {
    if (!isStorableText(key)) return 'keys must not contain NUL or lone surrogates';
    const problem = walk(child, depth + 1, maxDepth);
    if (problem) return problem;
  }
  return null;
}

/** class-validator decorator: a plain JSON object within the given bounds (metadata fields). */
export function IsBoundedJsonObject(
  bounds: JsonObjectBounds = DEFAULT_METADATA_BOUNDS,
  options?: ValidationOptions,
) {
  return (object: object, propertyName: string) => {
    registerDecorator({
      name: 'isBoundedJsonObject',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => jsonObjectProblem(value, bounds) === null,
        defaultMessage: (args) =>
          `${args?.property} ${jsonObjectProblem(args?.value, bounds) ?? 'is invalid'}`,
      },
    });
  };
}

/** class-validator decorator: a string PostgreSQL can store (see isStorableText). */
export function IsStorableText(options?: ValidationOptions) {
  return (object: object, propertyName: string) => {
    registerDecorator({
      name: 'isStorableText',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || isStorableText(value),
        defaultMessage: (args) => `${args?.property} must not contain NUL characters or lone surrogates`,
      },
    });
  };
}
