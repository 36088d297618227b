import { AppError } from '../errors/app-error.js';

/**
 * Deepest nesting a JSON request body may have. Request DTOs nest a few levels and free-form metadata at most 8
 * (DEFAULT_METADATA_BOUNDS); beyond this the validation stack (class-transformer) recurses until the call stack
 * overflows, so deeper bodies are refused before they are parsed.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * How deeply the JSON text nests arrays and objects, scanning the bytes once (brackets inside strings do not count).
 * Stops counting past `limit`: the answer is then `limit + 1`.
 */
export function jsonNestingDepth(bytes: Uint8Array, limit = Number.MAX_SAFE_INTEGER): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === 0x5c /* \ */) i++;
      else if (b === 0x22 /* " */) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b /* [ */ || b === 0x7b /* { */) {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (b === 0x5d /* ] */ || b === 0x7d /* } */) depth -= 1;
  }
  return deepest;
}

/**
 * body-parser `verify` hook for JSON bodies: refuses nesting deeper than MAX_JSON_DEPTH with 400 MALFORMED_REQUEST
 * before the body is parsed.
 */
export function refuseDeepJson(_req: unknown, _res: unknown, body: Buffer): void {
  if (jsonNestingDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new AppError(
      'MALFORMED_REQUEST',
      `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`,
      400,
    );
  }
}
