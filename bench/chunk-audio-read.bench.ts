/**
 * What reading a chunk's stored audio back costs (the arbitration reads the copies of a moment, four here, from
 * stream_chunks.audio, a bytea): `tsx bench/chunk-audio-read.bench.ts`.
 *
 * node-postgres asks for every result column as text, so PostgreSQL sends a bytea as hex (`\x` and two characters a
 * byte) and pg turns that string back into a Buffer per row; its `binary: true` query option is not usable (pg 8
 * decodes every field as utf-8 before its binary parsers run, which corrupts non-text bytes). Variants, each the same
 * rows through the same TypeORM DataSource, alternated within one run (the order rotates each round):
 * - `find`: StreamChunkRepository.loadAudio's TypeORM find (select id and audio, In, Not(IsNull())), hex as pg
 *   parses it;
 * - `sql-hex`: one plain statement through the same manager, hex as pg parses it (no TypeORM query building or
 *   entity hydration);
 * - `sql-base64`: one plain statement answering `encode(audio, 'base64')` (4 characters per 3 bytes, with a line
 *   break every 76), decoded by Buffer.from;
 * - `sql-no-audio`: the `sql-hex` statement answering the audio's length instead (the round trip without the bytea).
 * Reports per chunk read: this process's CPU (all its threads, GC included), the PostgreSQL backend's CPU (from
 * /proc, the pool holds one connection) and wall time; medians over the rounds with each round's figure.
 *
 * Options (env): BENCH_CHUNKS (400 stored chunks), BENCH_CHUNK_SECONDS (1), BENCH_READS (300 reads of 4 chunks per
 * measurement), BENCH_ROUNDS (7), DATABASE_URL (else a throwaway cluster from test/support/postgres-harness.mjs).
 * Prints its figures; BENCHMARKS.md gets them by hand.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pg from 'pg';
import { DataSource, EntitySchema, In, IsNull, Not } from 'typeorm';
import { AppConfig, buildDataSourceOptions, runMigrations } from '@mira/core';
import { ALL_MIGRATIONS } from '../migrations/index.js';
import { benchDatabase } from './bench-database.js';

const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 400);
const CHUNK_SECONDS = Number(process.env.BENCH_CHUNK_SECONDS ?? 1);
const READS = Number(process.env.BENCH_READS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const COPIES = 4;

type Read = (networkId: string, ids: string[]) => Promise<Map<string, Buffer>>;

/**
 * The columns of stream_chunks the read touches, as the stream lib's entity declares them (that entity is the lib's
 * own: the lib graph keeps it inside).
 */
const StoredChunk = new EntitySchema<{ id: string; networkId: string; audio: Buffer | null }>({
  name: 'StoredChunk',
  tableName: 'stream_chunks',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    networkId: { type: 'uuid' },
    audio: { type: 'bytea', nullable: true, select: false },
  },
});

/** CPU seconds a process has used (user + system), from /proc; null when it cannot be read. */
function processCpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
  } catch {
    return null;
  }
}

/** 16-bit PCM of a voice-like signal with noise, `seconds` at 16 kHz (the bytes' values do not matter to hex). */
function pcm(seconds: number, seed: number): Buffer {
  const samples = new Int16Array(Math.round(seconds * 16_000));
  let noise = seed;
  for (let i = 0; i < samples.length; i++) {
    noise = (noise * 1_103_515_245 + 12_345) & 0x7fffffff;
    const voice = Math.sin((2 * Math.PI * 180 * i) / 16_000) * 6000;
    samples[i] = Math.round(voice + ((noise / 0x7fffffff) * 2 - 1) * 2000);
  }
  return Buffer.from(samples.buffer);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const database = await benchDatabase();
  const dbUrl = new URL(database.url);
  const configWith = (poolSize: number) =>
    AppConfig.fromEnvironment(
      {},
      {
        NODE_ENV: 'test',
        DATABASE_URL: dbUrl.toString(),
        DB_POOL_SIZE: String(poolSize),
        LOG_LEVEL: 'error',
      },
    );
  const migrating = new DataSource(buildDataSourceOptions(configWith(2), { migrations: ALL_MIGRATIONS }));
  await migrating.initialize();
  await runMigrations(migrating, configWith(2));
  await migrating.destroy();
  // one connection, so that its backend's CPU is the reads' own
  const dataSource = new DataSource({
    ...buildDataSourceOptions(configWith(1), { migrations: [] }),
    entities: [StoredChunk],
  });
  await dataSource.initialize();
  try {
    const networkId = randomUUID();
    const ids: string[] = [];
    const seeder = new pg.Client({ connectionString: dbUrl.toString() });
    await seeder.connect();
    // the chunks alone: no network, stream or device rows behind them (foreign keys are not checked while seeding)
    await seeder.query('SET session_replication_role = replica');
    for (let i = 0; i < CHUNKS; i++) {
      const at = new Date(Date.UTC(2026, 11, 4) + i * 1000);
      const rows = await seeder.query<{ id: string }>(
        `INSERT INTO stream_chunks (network_id, stream_row_id, stream_id, client_id, content_sha256, captured_at,
           received_at, aligned_start, aligned_end, duration_ms, format, audio_score, snr_db, clarity, rms,
           clipping_ratio, speech_ratio, score, audio)
         VALUES ($1, $2, 'kitchen', 'kitchen', 'x', $3, $3, $3, $3, $4, 'wav', 50, 20, 0.5, 0.1, 0, 0.8, 50, $5)
         RETURNING id`,
        [networkId, randomUUID(), at, CHUNK_SECONDS * 1000, pcm(CHUNK_SECONDS, i + 1)],
      );
      ids.push(rows.rows[0]!.id);
    }
    await seeder.end();

    const manager = dataSource.manager;
    const repository = manager.getRepository(StoredChunk);
    const variants: Record<string, Read> = {
      find: async (network, chunkIds) => {
        const rows = await repository.find({
          select: { id: true, audio: true },
          where: { networkId: network, id: In(chunkIds), audio: Not(IsNull()) },
        });
        return new Map(rows.map((r) => [r.id, r.audio as Buffer]));
      },
      'sql-hex': async (network, chunkIds) => {
        const rows = (await manager.query(
          `SELECT id, audio FROM stream_chunks WHERE network_id = $1 AND id = ANY($2::uuid[]) AND audio IS NOT NULL`,
          [network, chunkIds],
        )) as { id: string; audio: Buffer }[];
        return new Map(rows.map((r) => [r.id, r.audio]));
      },
      'sql-base64': async (network, chunkIds) => {
        const rows = (await manager.query(
          `SELECT id, encode(audio, 'base64') AS audio FROM stream_chunks
           WHERE network_id = $1 AND id = ANY($2::uuid[]) AND audio IS NOT NULL`,
          [network, chunkIds],
        )) as { id: string; audio: string }[];
        return new Map(rows.map((r) => [r.id, Buffer.from(r.audio, 'base64')]));
      },
      // the same statement without the audio: what the round trip costs with no bytea to send or parse
      'sql-no-audio': async (network, chunkIds) => {
        const rows = (await manager.query(
          `SELECT id, length(audio) AS bytes FROM stream_chunks
           WHERE network_id = $1 AND id = ANY($2::uuid[]) AND audio IS NOT NULL`,
          [network, chunkIds],
        )) as { id: string; bytes: number }[];
        return new Map(rows.map((r) => [r.id, Buffer.alloc(0)]));
      },
    };
    const names = Object.keys(variants);
    const readers = names.filter((name) => name !== 'sql-no-audio');

    // every variant reads back exactly the stored bytes
    const stored = await variants['find']!(networkId, ids.slice(0, COPIES));
    for (const name of readers) {
      const read = await variants[name]!(networkId, ids.slice(0, COPIES));
      for (const id of ids.slice(0, COPIES))
        if (!read.get(id)?.equals(stored.get(id)!)) throw new Error(`${name} read other bytes for ${id}`);
    }

    const backendPid = ((await manager.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[])[0]!.pid;
    const groups = Array.from({ length: READS }, (_, r) =>
      Array.from({ length: COPIES }, (_, c) => ids[(r * COPIES + c) % ids.length]!),
    );
    const measure = async (read: Read) => {
      const cpu = process.cpuUsage();
      const server = processCpuSeconds(backendPid);
      const start = process.hrtime.bigint();
      for (const group of groups) await read(networkId, group);
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      const used = process.cpuUsage(cpu);
      const serverAfter = processCpuSeconds(backendPid);
      const chunks = READS * COPIES;
      return {
        cpuMs: (used.user + used.system) / 1000 / chunks,
        serverMs: server === null || serverAfter === null ? NaN : ((serverAfter - server) * 1000) / chunks,
        wallMs: wallMs / chunks,
      };
    };
    for (const name of names) await measure(variants[name]!); // warm-up

    const results: Record<string, { cpuMs: number[]; serverMs: number[]; wallMs: number[]; load: number[] }> =
      {};
    for (const name of names) results[name] = { cpuMs: [], serverMs: [], wallMs: [], load: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(round + k) % names.length]!;
        const load = loadavg()[0]!;
        const figures = await measure(variants[name]!);
        const into = results[name]!;
        into.cpuMs.push(figures.cpuMs);
        into.serverMs.push(figures.serverMs);
        into.wallMs.push(figures.wallMs);
        into.load.push(load);
      }
    }
    const fmt = (values: number[]) =>
      `${median(values).toFixed(3)} (${values.map((v) => v.toFixed(3)).join(' / ')})`;
    process.stdout.write(
      `chunk audio read: ${CHUNK_SECONDS} s chunks (${pcm(CHUNK_SECONDS, 1).length} bytes), ${COPIES} a read, ` +
        `${READS} reads a measurement, ${ROUNDS} rounds, ${new Date().toISOString()}\n`,
    );
    for (const name of names) {
      const r = results[name]!;
      process.stdout.write(
        `${name.padEnd(12)} node CPU ms/chunk ${fmt(r.cpuMs)}\n${''.padEnd(12)} server CPU ms/chunk ${fmt(r.serverMs)}\n` +
          `${''.padEnd(12)} wall ms/chunk ${fmt(r.wallMs)}\n${''.padEnd(12)} 1-min load at starts ` +
          `${r.load.map((l) => l.toFixed(1)).join(' / ')}\n`,
      );
    }
  } finally {
    await dataSource.destroy();
    await database.release();
  }
}

await main();
