import { ValidateBy } from 'class-validator';
import { CommonErrors } from '@mira/core';

export const DEVICE_NAME_MAX_LENGTH = 64;

/**
 * A device's name (`client_id`), as people type it in the shipped apps ("desktop-client", "Ada's laptop"):
 * 1-64 characters, no control characters, no "/" or "\", no space at either end. The same rule at both doors and on
 * the realtime socket, so a device named in one place can be named in every other.
 */
export function isDeviceName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    [...value].length <= DEVICE_NAME_MAX_LENGTH &&
    value === value.trim() &&
    !/[\p{Cc}\p{Cs}/\\]/u.test(value)
  );
}

export const DEVICE_NAME_RULE =
  '1-64 characters without control characters, "/" or "\\", and without a space at either end';

/** The value, or a 422 naming the field. */
export function assertDeviceName(field: string, value: unknown): string {
  if (!isDeviceName(value)) {
    const message = `${field} must be ${DEVICE_NAME_RULE}`;
    throw CommonErrors.validation(message, [{ field, messages: [message] }]);
  }
  return value;
}

/** class-validator form of the rule, for device names in request bodies. */
export function IsDeviceName(): PropertyDecorator {
  return ValidateBy({
    name: 'isDeviceName',
    validator: {
      validate: (value: unknown) => isDeviceName(value),
      defaultMessage: (args) => `${args?.property ?? 'client_id'} must be ${DEVICE_NAME_RULE}`,
    },
  });
}
