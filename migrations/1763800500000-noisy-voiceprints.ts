import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Multi-condition enrolment: an enrolment sample also stores its voice as heard through noise and the denoiser
 * (encrypted like the clean embedding). Nullable: automatic samples and samples enrolled before this migration have
 * none, and their person is then matched in noise against the clean voiceprint.
 */
export class NoisyVoiceprints1763800500000 implements MigrationInterface {
  name = 'NoisyVoiceprints1763800500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE voiceprints ADD COLUMN noisy_embedding_encrypted bytea`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE voiceprints DROP COLUMN noisy_embedding_encrypted`);
  }
}
