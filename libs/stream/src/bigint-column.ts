import type { ValueTransformer } from 'typeorm';

/**
 * PostgreSQL bigint columns read as numbers (the driver returns strings). Counters and sequence numbers stay below
 * 2^53, where a JavaScript number is exact; chunk-input.ts refuses a seq beyond it.
 */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
