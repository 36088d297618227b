import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a chunk's speech figures rest on: ingestion now estimates them from frame energies (`energy`) and the
 * arbitration runs the VAD once per sound, on the copy it judges (`vad`). Rows stored before were all judged by the
 * VAD at ingestion, hence the default.
 */
export class StreamQualityBasis1763803900000 implements MigrationInterface {
  name = 'StreamQualityBasis1763803900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE stream_chunks ADD COLUMN quality_basis text NOT NULL DEFAULT 'vad'`);
    await q.query(`ALTER TABLE streams ADD COLUMN quality_basis text NOT NULL DEFAULT 'vad'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE streams DROP COLUMN quality_basis`);
    await q.query(`ALTER TABLE stream_chunks DROP COLUMN quality_basis`);
  }
}
