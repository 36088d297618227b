import { ApiPropertyOptional, type ApiPropertyOptions, DECORATORS } from '@nestjs/swagger';

/**
 * Documents properties of a request DTO made with PartialType (an update taking create's fields with create's
 * validation) anew, replacing what they inherit: ApiProperty would merge into the parent's documentation, so an
 * update could not leave out an example or a sentence that only fits create. The inherited schema type is kept when
 * `docs` names none.
 */
export function DocumentInherited<T>(docs: { [K in keyof T]?: ApiPropertyOptions }): ClassDecorator {
  return (target) => {
    for (const [key, options] of Object.entries(docs) as [string, ApiPropertyOptions][]) {
      const inherited = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, target.prototype, key) as
        { type?: unknown } | undefined;
      if (!inherited) throw new Error(`${target.name}.${key} has no inherited documentation to replace`);
      // Let ApiPropertyOptional build the metadata on a blank object, then put it in place of the inherited one.
      const blank = {};
      ApiPropertyOptional(options)(blank, key);
      const own = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, blank, key) as { type?: unknown };
      if (own.type === undefined) own.type = inherited.type;
      Reflect.defineMetadata(DECORATORS.API_MODEL_PROPERTIES, own, target.prototype, key);
    }
  };
}
