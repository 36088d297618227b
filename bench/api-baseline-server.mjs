// Baseline for bench:api: plain node:http + pg running the same SQL as the API's main read and write routes,
// with no framework, auth, validation, rate limiting or logging. The API's figures are reported as a ratio to it.
import { createServer } from 'node:http';
import pg from 'pg';

const { DATABASE_URL, PORT, NETWORK_ID, POOL_SIZE } = process.env;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: Number(POOL_SIZE ?? 10) });

const server = createServer(async (req, res) => {
  try {
    if (req.method === 'GET' && req.url?.startsWith('/interactions')) {
      const { rows } = await pool.query(
        `SELECT id, network_id, person_id, conversation_id, content, interaction_type, metadata, occurred_at,
                speaker_confidence, transcription_status, processing_status, source_stream_id, source_chunk_id,
                created_at, updated_at
         FROM interactions WHERE network_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT 20 OFFSET 0`,
        [NETWORK_ID],
      );
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(rows));
      return;
    }
    if (req.method === 'POST' && req.url?.startsWith('/interactions')) {
      let body = '';
      for await (const chunk of req) body += chunk;
      const input = JSON.parse(body);
      const { rows } = await pool.query(
        `INSERT INTO interactions (network_id, content, interaction_type, metadata)
         VALUES ($1, $2, $3, '{}') RETURNING *`,
        [NETWORK_ID, input.content, input.interaction_type],
      );
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify(rows[0]));
      return;
    }
    res.writeHead(404).end();
  } catch (err) {
    res.writeHead(500).end(String(err));
  }
});
server.listen(Number(PORT), '127.0.0.1', () => process.stdout.write('baseline_listening\n'));
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
