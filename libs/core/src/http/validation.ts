import { ValidationError, ValidationPipe } from '@nestjs/common';
import { CommonErrors, FieldError } from '../errors/app-error.js';

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

/** Request DTOs are whitelisted, transformed and validated; failures are one 422 naming every field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flattenValidationErrors(errors);
      const names = fields.map((f) => f.field).join(', ');
      return CommonErrors.validation(`Invalid request: ${names || 'body'}`, fields);
    },
  });
}
