import { Injectable } from '@nestjs/common';

/** Deletes one network's data of one kind created before `cutoff`; returns how many items went. */
export type RetentionPurge = (networkId: string, cutoff: Date) => Promise<number>;

/**
 * What the retention sweep removes. Domains that store time-bound personal data (interactions, stored audio)
 * register a purge in onModuleInit; the sweep calls each one per network with that network's cutoff.
 */
@Injectable()
export class RetentionRegistry {
  private readonly purges = new Map<string, RetentionPurge>();

  register(name: string, purge: RetentionPurge): void {
    if (this.purges.has(name)) throw new Error(`A retention purge named ${name} is already registered`);
    this.purges.set(name, purge);
  }

  entries(): [string, RetentionPurge][] {
    return [...this.purges.entries()];
  }
}
