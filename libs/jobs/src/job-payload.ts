/** Thrown by a handler for an input that will never succeed: the job fails at once instead of retrying. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/**
 * Thrown by JobRun.checkpoint when the run must stop (the job was cancelled, or another run took it over after its
 * lease ran out). Handlers let it propagate; the queue then leaves the job's row as it is.
 */
export class JobStopped extends Error {
  constructor(readonly jobId: string) {
    super(`Job ${jobId} was cancelled or taken over by another run`);
    this.name = 'JobStopped';
  }
}

/** The field types a job payload may hold (payloads carry ids and small numbers, nothing else). */
export type PayloadField = 'uuid' | 'string' | 'number';

/** One field kind per payload property, checked by the compiler against the payload type. */
export type PayloadSchema<P> = {
  [K in keyof P]-?: P[K] extends number ? 'number' : P[K] extends string ? 'uuid' | 'string' : never;
};

/** A kind of job: its name and how its payload is checked. The catalogue's kinds are built from JobName. */
export interface JobKind<P> {
  name: string;
  schema: PayloadSchema<P>;
}

/** A job kind outside the catalogue (the queue's own tests use them to exercise retries and leases). */
export function defineJobKind<P>(name: string, schema: PayloadSchema<P>): JobKind<P> {
  return { name, schema };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks a payload read back from the jobs table and returns only the declared fields. Throws PermanentJobError
 * (the job fails at once, with the reason in last_error) when a field is missing or of the wrong kind.
 */
export function parsePayload<P>(kind: JobKind<P>, raw: unknown): P {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PermanentJobError(`Invalid payload for job ${kind.name}: not an object`);
  }
  const source = raw as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [field, type] of Object.entries(kind.schema) as [string, PayloadField][]) {
    const value = source[field];
    const ok =
      type === 'number'
        ? typeof value === 'number' && Number.isFinite(value)
        : typeof value === 'string' && (type === 'string' || UUID.test(value));
    if (!ok) {
      throw new PermanentJobError(
        `Invalid payload for job ${kind.name}: ${field} must be ${type === 'uuid' ? 'a UUID' : `a ${type}`}`,
      );
    }
    out[field] = value;
  }
  return out as P;
}
