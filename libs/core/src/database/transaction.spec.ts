import { QueryFailedError, type DataSource } from 'typeorm';
import { Transactions, type Tx } from './transaction.js';

/** A data source whose transactions just run the work (what is retried is the point here, not the SQL). */
const dataSource = {
  transaction: (work: (manager: unknown) => Promise<unknown>) => work({}),
} as unknown as DataSource;

const lost = (code: string) => new QueryFailedError('COMMIT', [], Object.assign(new Error('lost'), { code }));

describe('Transactions.runRetryingConflicts', () => {
  it('runs a transaction that lost a deadlock or a serialization race again, up to the attempts given', async () => {
    const retried: number[] = [];
    let runs = 0;
    const answer = await new Transactions(dataSource).runRetryingConflicts(
      async (_tx: Tx) => {
        runs++;
        if (runs === 1) throw lost('40P01');
        if (runs === 2) throw lost('40001');
        return 'done';
      },
      { attempts: 3, onRetry: (attempt) => retried.push(attempt) },
    );
    expect(answer).toBe('done');
    expect(runs).toBe(3);
    expect(retried).toEqual([1, 2]);
  });

  it('gives up after the last attempt with the conflict, and never runs other failures again', async () => {
    let runs = 0;
    const transactions = new Transactions(dataSource);
    await expect(
      transactions.runRetryingConflicts(
        () => {
          runs++;
          return Promise.reject(lost('40P01'));
        },
        { attempts: 2 },
      ),
    ).rejects.toThrow(QueryFailedError);
    expect(runs).toBe(2);

    runs = 0;
    await expect(
      transactions.runRetryingConflicts(
        () => {
          runs++;
          return Promise.reject(lost('23505'));
        },
        { attempts: 3 },
      ),
    ).rejects.toThrow(QueryFailedError);
    expect(runs).toBe(1);
  });
});
