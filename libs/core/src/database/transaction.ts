import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { isTransientConflict } from './pg-errors.js';

/**
 * One open database transaction as services see it: an opaque handle they pass on (to their repository, to another
 * lib's service, to a hook) so that everything written with it commits or rolls back together. Services never run
 * SQL with it; repositories open it with `Tx.manager`.
 */
export class Tx {
  private constructor(private readonly entityManager: EntityManager) {}

  /** For repositories that opened a transaction themselves and hand it to hooks or other services. */
  static of(manager: EntityManager): Tx {
    return new Tx(manager);
  }

  /** For repositories: the TypeORM manager that runs this transaction's SQL (`fallback` outside a transaction). */
  static manager(tx: Tx | null | undefined, fallback: EntityManager): EntityManager;
  static manager(tx: Tx): EntityManager;
  static manager(tx: Tx | null | undefined, fallback?: EntityManager): EntityManager {
    if (tx) return tx.entityManager;
    if (!fallback) throw new Error('No transaction and no fallback manager');
    return fallback;
  }
}

/** The unit of work: services that write through more than one repository or lib open one here. */
@Injectable()
export class Transactions {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(Tx.of(manager)));
  }

  /**
   * `run`, and run again (up to `attempts` runs in all) when PostgreSQL ends the transaction as the loser of a
   * deadlock or a serialization race: nothing of the lost run was committed. `onRetry` hears each lost run.
   */
  async runRetryingConflicts<T>(
    work: (tx: Tx) => Promise<T>,
    { attempts, onRetry }: { attempts: number; onRetry?: (attempt: number) => void },
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.run(work);
      } catch (err) {
        if (!isTransientConflict(err) || attempt >= attempts) throw err;
        onRetry?.(attempt);
      }
    }
  }
}
