import {
  ArgumentMetadata,
  ValidationError,
  ValidationPipe,
  type ValidationPipeOptions,
} from '@nestjs/common';
import { CommonErrors, FieldError } from '../errors/app-error.js';
import { CompiledDtos } from './compiled-dto.js';

/** Flattens class-validator's tree into [{field: 'a.b', messages}] for the 422 body. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) out.push({ field, messages: Object.values(error.constraints) });
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

const TRANSFORM_OPTIONS = { enableImplicitConversion: false };

const OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  transformOptions: TRANSFORM_OPTIONS,
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => {
    const fields = flattenValidationErrors(errors);
    const names = fields.map((f) => f.field).join(', ');
    return CommonErrors.validation(`Invalid request: ${names || 'body'}`, fields);
  },
};

/**
 * The validation pipe with each DTO's rules compiled once (CompiledDto): a flat input that passes them is answered
 * the instance class-transformer and class-validator would answer, without their per-call metadata walks; any
 * other input, every refusal included, goes through ValidationPipe itself, so a 422 is always its own.
 */
class CompiledValidationPipe extends ValidationPipe {
  private readonly dtos = new CompiledDtos(TRANSFORM_OPTIONS);

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype } = metadata;
    if (metatype && this.toValidate(metadata)) {
      const instance = this.dtos.for(metatype as new () => object)?.instantiate(value);
      if (instance !== undefined) return instance;
    }
    return super.transform(value, metadata);
  }
}

/**
 * Request DTOs are whitelisted, transformed and validated; failures are one 422 naming every field. `compiled:
 * false` is Nest's ValidationPipe alone (the reference the compiled path is tested against).
 */
export function createValidationPipe({ compiled = true }: { compiled?: boolean } = {}): ValidationPipe {
  return compiled ? new CompiledValidationPipe(OPTIONS) : new ValidationPipe(OPTIONS);
}
