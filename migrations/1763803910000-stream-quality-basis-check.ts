import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A chunk's (and a stream's last chunk's) speech figures rest on one of two bases, `energy` as ingested or `vad` once
 * judged: the database refuses any other value, as it does for every other closed set of states.
 */
export class StreamQualityBasisCheck1763803910000 implements MigrationInterface {
  name = 'StreamQualityBasisCheck1763803910000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE stream_chunks ADD CONSTRAINT stream_chunks_quality_basis_check
         CHECK (quality_basis IN ('energy', 'vad'))`,
    );
    await q.query(
      `ALTER TABLE streams ADD CONSTRAINT streams_quality_basis_check CHECK (quality_basis IN ('energy', 'vad'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE streams DROP CONSTRAINT streams_quality_basis_check`);
    await q.query(`ALTER TABLE stream_chunks DROP CONSTRAINT stream_chunks_quality_basis_check`);
  }
}
