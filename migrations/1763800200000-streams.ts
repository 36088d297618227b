import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Multi-microphone streams: one row per stream, every received chunk (with its decoded audio until it is decided),
 * one floor row per network (locked FOR UPDATE by the arbitration), the logged decisions, and phone signals.
 */
export class Streams1763800200000 implements MigrationInterface {
  name = 'Streams1763800200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE streams (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        network_id uuid NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        stream_id text NOT NULL,
        client_id text NOT NULL,
        clock_offset_ms double precision,
        last_received_at timestamptz,
        last_captured_at timestamptz,
        last_chunk_id uuid,
        last_seq bigint,
        chunk_count bigint NOT NULL DEFAULT 0,
        audio_score double precision,
        snr_db double precision,
        clarity double precision,
        rms double precision,
        clipping_ratio double precision,
        speech_ratio double precision,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX streams_network_stream_key ON streams (network_id, stream_id)`);
    await q.query(`CREATE INDEX streams_network_client_idx ON streams (network_id, client_id)`);
    await q.query(`CREATE INDEX streams_network_received_idx ON streams (network_id, last_received_at)`);
    await q.query(`
      CREATE TABLE stream_chunks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        network_id uuid NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        stream_row_id uuid NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
        stream_id text NOT NULL,
        client_id text NOT NULL,
        seq bigint,
        idempotency_key text,
        content_sha256 text NOT NULL,
        captured_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        aligned_start timestamptz NOT NULL,
        aligned_end timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        format text NOT NULL,
        audio_score double precision NOT NULL,
        snr_db double precision NOT NULL,
        clarity double precision NOT NULL,
        rms double precision NOT NULL,
        clipping_ratio double precision NOT NULL,
        speech_ratio double precision NOT NULL,
        score double precision NOT NULL,
        metadata jsonb,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'won', 'lost', 'silent')),
        decision_id uuid,
        decision_reason text,
        decided_at timestamptz,
        audio bytea,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX stream_chunks_seq_key ON stream_chunks (network_id, stream_row_id, seq) WHERE seq IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX stream_chunks_idempotency_key ON stream_chunks (network_id, client_id, idempotency_key)
       WHERE idempotency_key IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX stream_chunks_network_aligned_idx ON stream_chunks (network_id, aligned_start)`,
    );
    await q.query(
      `CREATE INDEX stream_chunks_network_pending_idx ON stream_chunks (network_id, aligned_start) WHERE status = 'pending'`,
    );
    await q.query(
      `CREATE INDEX stream_chunks_network_stream_idx ON stream_chunks (network_id, stream_row_id, received_at)`,
    );
    await q.query(`
      CREATE TABLE stream_floors (
        network_id uuid PRIMARY KEY REFERENCES networks(id) ON DELETE CASCADE,
        holder_stream_row_id uuid REFERENCES streams(id) ON DELETE SET NULL,
        holder_since timestamptz,
        last_until timestamptz,
        decisions bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE stream_decisions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        network_id uuid NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        winner_chunk_id uuid,
        winner_stream_id text,
        reason text NOT NULL,
        candidate_count integer NOT NULL,
        features jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX stream_decisions_network_created_idx ON stream_decisions (network_id, created_at)`,
    );
    // Uploads being decoded right now: the arbitration waits for copies that arrived before its deadline.
    await q.query(`
      CREATE TABLE stream_ingests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        network_id uuid NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        started_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX stream_ingests_network_started_idx ON stream_ingests (network_id, started_at)`,
    );
    await q.query(`
      CREATE TABLE stream_client_signals (
        network_id uuid NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        client_id text NOT NULL,
        latitude double precision,
        longitude double precision,
        accuracy_m double precision,
        location_at timestamptz,
        rssi_dbm double precision,
        rssi_from text,
        rssi_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (network_id, client_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE stream_client_signals`);
    await q.query(`DROP TABLE stream_ingests`);
    await q.query(`DROP TABLE stream_decisions`);
    await q.query(`DROP TABLE stream_floors`);
    await q.query(`DROP TABLE stream_chunks`);
    await q.query(`DROP TABLE streams`);
  }
}
