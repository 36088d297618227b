/** Types for postgres-harness.mjs (plain ESM, shared by jest setup, the reliability suite and benchmarks). */
export interface PostgresCluster {
  url: string;
  port: number;
  dir: string;
  dataDir: string;
  stop(): void;
  pause(): void;
  resume(): void;
}
export function startPostgres(): Promise<PostgresCluster>;
export function freePort(): Promise<number>;
