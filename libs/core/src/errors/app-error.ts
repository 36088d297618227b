/** A field-level validation problem, returned in the `fields` array of a 422. */
export interface FieldError {
  field: string;
  messages: string[];
}

/**
 * Every expected failure is an AppError: a stable SCREAMING_SNAKE code, a human detail and an HTTP status.
 * The global filter renders it as {detail, error_code, timestamp, request_id}.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly status: number,
    readonly extra: { fields?: FieldError[]; retryAfterSeconds?: number } = {},
  ) {
    super(detail);
    this.name = 'AppError';
  }
}

/** Codes shared by every module; domain modules declare their own next to their service. */
export const CommonErrors = {
  validation: (detail: string, fields: FieldError[] = []) =>
    new AppError('VALIDATION_FAILED', detail, 422, { fields }),
  malformed: (detail: string) => new AppError('MALFORMED_REQUEST', detail, 400),
  /** A page cursor that is not one the API issued, or was issued for another list (network, sort, order). */
  invalidCursor: (detail: string) => new AppError('INVALID_CURSOR', detail, 400),
  unauthenticated: (detail = 'Missing or invalid bearer token') =>
    new AppError('UNAUTHENTICATED', detail, 401),
  forbidden: (detail: string) => new AppError('FORBIDDEN', detail, 403),
  routeNotFound: (detail: string) => new AppError('ROUTE_NOT_FOUND', detail, 404),
  networkNotFound: () => new AppError('NETWORK_NOT_FOUND', 'Network not found', 404),
  conflict: (code: string, detail: string) => new AppError(code, detail, 409),
  payloadTooLarge: (detail: string) => new AppError('PAYLOAD_TOO_LARGE', detail, 413),
  unsupportedMediaType: (detail: string) => new AppError('UNSUPPORTED_MEDIA_TYPE', detail, 415),
  serviceUnavailable: (detail: string, retryAfterSeconds = 5) =>
    new AppError('SERVICE_UNAVAILABLE', detail, 503, { retryAfterSeconds }),
  internal: () => new AppError('INTERNAL_ERROR', 'An unexpected error occurred', 500),
} as const;
