import { Injectable } from '@nestjs/common';

export interface ComponentHealth {
  status: 'healthy' | 'degraded' | 'unhealthy';
  [detail: string]: unknown;
}

export type HealthCheck = () => Promise<ComponentHealth> | ComponentHealth;

/** Modules register what they own (database, audio engines, language model); /health/detailed asks them all. */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  async runAll(timeoutMs = 3000): Promise<Record<string, ComponentHealth>> {
    const entries = await Promise.all(
      [...this.checks.entries()].map(async ([name, check]) => {
        try {
          const result = await Promise.race([
            Promise.resolve(check()),
            new Promise<ComponentHealth>((_, reject) =>
              setTimeout(() => reject(new Error(`${name} health check timed out`)), timeoutMs).unref(),
            ),
          ]);
          return [name, result] as const;
        } catch (err) {
          return [
            name,
            { status: 'unhealthy', error: err instanceof Error ? err.message : String(err) },
          ] as const;
        }
      }),
    );
    return Object.fromEntries(entries);
  }
}
