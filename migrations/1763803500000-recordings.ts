import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recordings: long uploads processed in the background, with who spoke when.
 *
 * - recordings: one row per upload; `status` is what the client sees, `stage` where processing resumes after a
 *   crash (decode → analyse → diarize → identify → done). `speakers` keeps each voice's identification once made,
 *   so a resumed run gives every turn of a voice the same person.
 * - recording_audio: the audio while it is processed, in parts (the uploaded bytes as received, then 16 kHz PCM16,
 *   then the per-part speech analysis); dropped once the recording is processed.
 * - recording_segments: the turns, numbered once when the recording is diarized (their primary key makes a resumed
 *   run unable to add a second copy).
 * - interactions.source_recording_id / source_turn: the interaction made from one turn of a recording or of a
 *   chunk; one per (source, turn), so a retried job continues the same row instead of adding one.
 * - jobs.progress (0–1, reported by long jobs) and the status `cancelled` (GET /tasks, cancelling a recording).
 */
export class Recordings1763803500000 implements MigrationInterface {
  name = 'Recordings1763803500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE jobs ADD COLUMN progress real`);
    await q.query(`ALTER TABLE jobs DROP CONSTRAINT jobs_status_check`);
    await q.query(
      `ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
         CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled'))`,
    );

    await q.query(`
      CREATE TABLE recordings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        network_id uuid NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'receiving'
          CHECK (status IN ('receiving', 'queued', 'processing', 'done', 'failed', 'cancelled')),
        stage text NOT NULL DEFAULT 'decode' CHECK (stage IN ('decode', 'analyse', 'diarize', 'identify', 'done')),
        task_id uuid,
        uploaded_by text NOT NULL,
        filename text,
        content_type text,
        format text,
        source_bytes bigint NOT NULL DEFAULT 0,
        duration_ms integer,
        recorded_at timestamptz NOT NULL,
        conversation_id uuid,
        speakers jsonb NOT NULL DEFAULT '[]',
        diarization jsonb NOT NULL DEFAULT '{}',
        metadata jsonb NOT NULL DEFAULT '{}',
        error_code text,
        error text,
        processed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT recordings_network_id_key UNIQUE (network_id, id),
        FOREIGN KEY (network_id, conversation_id) REFERENCES conversations(network_id, id)
          ON DELETE SET NULL (conversation_id)
      )`);
    await q.query(
      `CREATE INDEX recordings_network_created_idx ON recordings (network_id, created_at DESC, id DESC)`,
    );

    await q.query(`
      CREATE TABLE recording_audio (
        network_id uuid NOT NULL,
        recording_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('source', 'pcm', 'analysis')),
        "index" integer NOT NULL,
        data bytea NOT NULL,
        meta jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (network_id, recording_id, kind, "index"),
        FOREIGN KEY (network_id, recording_id) REFERENCES recordings(network_id, id) ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE recording_segments (
        network_id uuid NOT NULL,
        recording_id uuid NOT NULL,
        "index" integer NOT NULL,
        start_ms integer NOT NULL,
        end_ms integer NOT NULL,
        speaker_label text NOT NULL,
        person_id uuid,
        text text,
        transcription_status text,
        confidence real,
        interaction_id uuid,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
        PRIMARY KEY (network_id, recording_id, "index"),
        FOREIGN KEY (network_id, recording_id) REFERENCES recordings(network_id, id) ON DELETE CASCADE,
        FOREIGN KEY (network_id, person_id) REFERENCES persons(network_id, id) ON DELETE SET NULL (person_id)
      )`);
    await q.query(
      `CREATE INDEX recording_segments_network_person_idx ON recording_segments (network_id, person_id)
       WHERE person_id IS NOT NULL`,
    );

    await q.query(`ALTER TABLE interactions ADD COLUMN source_recording_id uuid`);
    await q.query(`ALTER TABLE interactions ADD COLUMN source_turn integer NOT NULL DEFAULT 0`);
    await q.query(`DROP INDEX interactions_network_source_chunk_key`);
    await q.query(
      `CREATE UNIQUE INDEX interactions_network_source_chunk_key ON interactions (network_id, source_chunk_id, source_turn)
       WHERE source_chunk_id IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX interactions_network_source_recording_key
         ON interactions (network_id, source_recording_id, source_turn) WHERE source_recording_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX interactions_network_source_recording_key`);
    await q.query(`DROP INDEX interactions_network_source_chunk_key`);
    await q.query(`DELETE FROM interactions WHERE source_turn > 0`);
    await q.query(
      `CREATE UNIQUE INDEX interactions_network_source_chunk_key ON interactions (network_id, source_chunk_id)
       WHERE source_chunk_id IS NOT NULL`,
    );
    await q.query(`ALTER TABLE interactions DROP COLUMN source_turn`);
    await q.query(`ALTER TABLE interactions DROP COLUMN source_recording_id`);
    await q.query(`DROP TABLE recording_segments`);
    await q.query(`DROP TABLE recording_audio`);
    await q.query(`DROP TABLE recordings`);
    await q.query(`UPDATE jobs SET status = 'failed' WHERE status = 'cancelled'`);
    await q.query(`ALTER TABLE jobs DROP CONSTRAINT jobs_status_check`);
    await q.query(
      `ALTER TABLE jobs ADD CONSTRAINT jobs_status_check CHECK (status IN ('queued', 'running', 'done', 'failed'))`,
    );
    await q.query(`ALTER TABLE jobs DROP COLUMN progress`);
  }
}
