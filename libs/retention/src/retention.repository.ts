import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { deleteTombstonesBefore } from '@mira/core';

/** SQL the sweep owns: expiry of the shared rate-limit counters and of old tombstones (bookkeeping, not tenant data). */
@Injectable()
export class RetentionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async deleteRateLimitWindowsBefore(cutoff: Date): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `DELETE FROM rate_limit_counters WHERE window_start < $1`,
      [cutoff],
    )) as [unknown, number];
    return Number(count ?? 0);
  }

  deleteTombstonesBefore(networkId: string, cutoff: Date): Promise<number> {
    return deleteTombstonesBefore(this.dataSource, networkId, cutoff);
  }
}
