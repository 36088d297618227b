import { TransformationType, type ClassTransformOptions } from 'class-transformer';
// @ts-expect-error class-transformer ships no declarations for its storage module (its types/storage.d.ts is apart)
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import type { MetadataStorage as TransformMetadataStorage } from 'class-transformer/types/MetadataStorage.js';
import { getMetadataStorage, ValidationTypes, type ValidatorConstraintInterface } from 'class-validator';

type ValidationMetadata = ReturnType<
  ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']
>[number];
type DtoClass = new () => object;
type TransformFn = ReturnType<TransformMetadataStorage['findTransformMetadatas']>[number]['transformFn'];

const transformStorage = defaultMetadataStorage as TransformMetadataStorage;

/** One validator of a property, as class-validator's executor runs it. */
interface Rule {
  metadata: ValidationMetadata;
  validators: ValidatorConstraintInterface[];
}

/** A property's conditions (@IsOptional, @ValidateIf) and rules; it is checked only when every condition holds. */
interface PropertyCheck {
  property: string;
  conditions: ((object: object, value: unknown) => boolean)[];
  rules: Rule[];
}

/** The validation metadata types a compiled class may use: anything else (nested, promises) stays general. */
const COMPILABLE_TYPES = new Set<string>([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.IS_DEFINED,
  ValidationTypes.WHITELIST,
]);

const isFlat = (value: unknown): boolean =>
  value === null ||
  value === undefined ||
  typeof value === 'string' ||
  typeof value === 'number' ||
  typeof value === 'boolean';

/**
 * A request DTO's validation, read once from class-validator's and class-transformer's metadata (the decorators stay
 * the one source of truth) instead of on every request: class-validator looks its rules up on every call (walking
 * every validated class of the application for the DTO's ancestors, then filtering and grouping them) and builds an
 * error object per property, valid or not, and class-transformer does the same for its decorators.
 *
 * `instantiate` answers the instance the validation pipe would answer for a flat input (an object whose own keys
 * are all properties of the DTO and whose values are strings, numbers, booleans or null: a query string, or a JSON
 * body without nested values) that passes every rule. For anything else (a rule that fails, a value it cannot
 * vouch for) it answers undefined and the caller takes the general path, which builds the instance and the errors
 * itself: the 422 of a refused input is always class-validator's own.
 *
 * It holds for the options of createValidationPipe (whitelist, forbidNonWhitelisted, no groups, no skipping, no
 * implicit conversion); `compileDto` answers null for a class it cannot reproduce: nested or promise validation,
 * `each`, asynchronous constraints, class-transformer's @Type/@Expose/@Exclude, accessors or methods named like a
 * property, or a class field without any decorator (the whitelist refuses every input then).
 */
export class CompiledDto<T extends object> {
  private constructor(
    private readonly target: new () => T,
    private readonly properties: ReadonlySet<string>,
    private readonly transforms: ReadonlyMap<string, TransformFn[]>,
    private readonly checks: readonly PropertyCheck[],
    private readonly transformOptions: ClassTransformOptions,
  ) {}

  /** Null when the class uses something this does not reproduce (see the class comment). */
  static compile<T extends object>(
    target: new () => T,
    transformOptions: ClassTransformOptions = {},
  ): CompiledDto<T> | null {
    const storage = getMetadataStorage();
    // exactly the lookup class-validator's executor makes for validate(object, options) under these options
    const metadatas = storage.getTargetValidationMetadatas(
      target,
      undefined as unknown as string,
      false,
      false,
    );
    const grouped = storage.groupByPropertyName(metadatas);
    const properties = new Set(Object.keys(grouped));
    if (
      transformStorage.getStrategy(target) !== 'none' ||
      transformStorage.getExposedMetadatas(target).length > 0 ||
      transformStorage.getExcludedMetadatas(target).length > 0
    )
      return null;
    // the instance's own keys (class fields) must pass the whitelist, as every request's instance has them
    const blank = new target() as Record<string, unknown>;
    if (!Object.keys(blank).every((key) => properties.has(key))) return null;
    const transforms = new Map<string, TransformFn[]>();
    const checks: PropertyCheck[] = [];
    for (const [property, group] of Object.entries(grouped)) {
      if (transformStorage.findTypeMetadata(target, property) !== undefined) return null;
      // class-transformer leaves such a property unset
      if (Object.getOwnPropertyDescriptor(target.prototype, property) !== undefined) return null;
      if (typeof blank[property] === 'function') return null;
      const fns = transformStorage
        .findTransformMetadatas(target, property, TransformationType.PLAIN_TO_CLASS)
        .filter((m) => !m.options?.groups?.length)
        .map((m) => m.transformFn);
      if (fns.length > 0) transforms.set(property, fns);
      const check: PropertyCheck = { property, conditions: [], rules: [] };
      const defined: Rule[] = [];
      for (const metadata of group) {
        if (!COMPILABLE_TYPES.has(metadata.type) || metadata.each) return null;
        if (metadata.type === ValidationTypes.WHITELIST) continue;
        if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
          check.conditions.push(metadata.constraints[0] as PropertyCheck['conditions'][number]);
          continue;
        }
        const constraints = storage.getTargetValidatorConstraints(metadata.constraintCls);
        if (constraints.some((c) => c.async)) return null;
        const rule = { metadata, validators: constraints.map((c) => c.instance) };
        (metadata.type === ValidationTypes.IS_DEFINED ? defined : check.rules).push(rule);
      }
      check.rules.unshift(...defined);
      checks.push(check);
    }
    return new CompiledDto(target, properties, transforms, checks, transformOptions);
  }

  /** The validated instance of a flat input that passes every rule; undefined otherwise (take the general path). */
  instantiate(value: unknown): T | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const plain = value as Record<string, unknown>;
    const keys = Object.keys(plain);
    for (const key of keys) if (!this.properties.has(key) || !isFlat(plain[key])) return undefined;
    const instance = new this.target() as Record<string, unknown>;
    for (const key of keys) {
      let field = plain[key];
      const fns = this.transforms.get(key);
      if (fns !== undefined) {
        for (const fn of fns) {
          field = fn({
            value: field,
            key,
            obj: plain,
            type: TransformationType.PLAIN_TO_CLASS,
            options: this.transformOptions,
          });
        }
      }
      instance[key] = field;
    }
    return this.passes(instance) ? (instance as T) : undefined;
  }

  private passes(instance: Record<string, unknown>): boolean {
    const targetName = this.target.name;
    for (const { property, conditions, rules } of this.checks) {
      const value = instance[property];
      if (!conditions.every((condition) => condition(instance, value))) continue;
      for (const { metadata, validators } of rules) {
        if (metadata.validateIf && !metadata.validateIf(instance, value)) continue;
        const args = { targetName, property, object: instance, value, constraints: metadata.constraints };
        for (const validator of validators) {
          const valid: unknown = validator.validate(value, args);
          if (valid instanceof Promise) {
            // an asynchronous rule after all: the general path awaits it (and handles its rejection)
            valid.catch(() => undefined);
            return false;
          }
          if (!valid) return false;
        }
      }
    }
    return true;
  }
}

/** Each class compiled once (null: not compilable, always the general path). */
export class CompiledDtos {
  private readonly compiled = new Map<DtoClass, CompiledDto<object> | null>();

  constructor(private readonly transformOptions: ClassTransformOptions = {}) {}

  for(target: DtoClass): CompiledDto<object> | null {
    let found = this.compiled.get(target);
    if (found === undefined) {
      try {
        found = CompiledDto.compile(target, this.transformOptions);
      } catch {
        found = null; // a class that cannot be read this way (its constructor throws): the general path
      }
      this.compiled.set(target, found);
    }
    return found;
  }
}
