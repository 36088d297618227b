import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';

/**
 * A minimal stand-in for the `pg` module that TypeORM's postgres driver accepts through its `driver` option,
 * backed by one embedded PGlite database.
 *
 * PGlite has a single session. The published `typeorm-pglite` adapter lets concurrent TypeORM query runners
 * interleave statements on it, so one runner's ROLLBACK undoes another's work and row locks mean nothing.
 * Here the pool hands the session to exactly one query runner at a time (FIFO); the others wait until it is
 * released. Transactions are therefore serialised, which is the correct semantics for a single session.
 * Caveat for callers: code that holds a query runner must never wait on a second one (it would wait forever).
 */

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const BYTEA_OID = 17;

interface PgLikeResult {
  rows: unknown[];
  rowCount: number;
  command: string;
  fields: { name: string; dataTypeID: number }[];
}

class PgliteClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  async query(
    text: string | { text: string; values?: unknown[] },
    params?: unknown[],
    callback?: (err: Error | null, result?: PgLikeResult) => void,
  ): Promise<PgLikeResult> {
    const sql = typeof text === 'string' ? text : text.text;
    const values = (typeof text === 'string' ? params : text.values) ?? [];
    const promise = this.run(sql, values.map(toPgliteParam));
    if (callback) {
      promise.then(
        (result) => callback(null, result),
        (err: Error) => callback(err),
      );
    }
    return promise;
  }

  escapeLiteral(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
  }

  escapeIdentifier(value: string): string {
    return `"${value.replace(/"/g, '""')}"`;
  }

  private async run(sql: string, values: unknown[]): Promise<PgLikeResult> {
    const command = sql.trimStart().split(/\s+/, 1)[0]?.toUpperCase() ?? '';
    const result =
      values.length > 0
        ? await this.db.query(sql, values)
        : ((await this.db.exec(sql)).at(-1) ?? { rows: [], fields: [] });
    const rows = result.rows.map(normaliseRow);
    return {
      rows,
      rowCount: result.rowCount ?? result.affectedRows ?? rows.length,
      command: result.command ?? command,
      fields: result.fields,
    };
  }
}

function toPgliteParam(value: unknown): unknown {
  return Buffer.isBuffer(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : value;
}

function normaliseRow(row: unknown): unknown {
  if (row === null || typeof row !== 'object') return row;
  const out = row as Record<string, unknown>;
  for (const key of Object.keys(out)) {
    const value = out[key];
    if (value instanceof Uint8Array && !Buffer.isBuffer(value)) out[key] = Buffer.from(value);
  }
  return out;
}

type ConnectCallback = (err: Error | null, client?: PgliteClient, release?: (err?: unknown) => void) => void;

/** One embedded database, one session, handed to one borrower at a time. */
export class PglitePool extends EventEmitter {
  private db?: PGlite;
  private opening?: Promise<PGlite>;
  private client?: PgliteClient;
  private busy = false;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly options: { dataDir?: string }) {
    super();
  }

  connect(callback?: ConnectCallback): Promise<PgliteClient> | void {
    const acquired = this.acquire();
    if (!callback) return acquired.then(([client]) => client);
    acquired.then(
      ([client, release]) => callback(null, client, release),
      (err: Error) => callback(err),
    );
  }

  async query(sql: string, params?: unknown[]): Promise<PgLikeResult> {
    const [client, release] = await this.acquire();
    try {
      return await client.query(sql, params);
    } finally {
      release();
    }
  }

  end(callback?: (err?: Error) => void): Promise<void> | void {
    const closing = (async () => {
      if (this.opening) await (await this.opening).close();
    })();
    if (!callback) return closing;
    closing.then(
      () => callback(),
      (err: Error) => callback(err),
    );
  }

  get totalCount(): number {
    return 1;
  }

  get waitingCount(): number {
    return this.waiters.length;
  }

  private async open(): Promise<PGlite> {
    if (!this.opening) {
      this.opening = (async () => {
        const { PGlite } = await import('@electric-sql/pglite');
        // Extensions the migrations create must be bundled into the WASM instance when it starts. pgvector ranks
        // semantic search (the interaction_embeddings migration creates it when it is available).
        const { btree_gin } = await import('@electric-sql/pglite/contrib/btree_gin');
        const { vector } = await import('@electric-sql/pglite-pgvector');
        if (this.options.dataDir) mkdirSync(this.options.dataDir, { recursive: true });
        const db = await PGlite.create({
          dataDir: this.options.dataDir,
          extensions: { btree_gin, vector },
          parsers: {
            // Match node-postgres: 64-bit integers and numerics as strings, bytea as Buffer.
            [INT8_OID]: (value: string) => value,
            [NUMERIC_OID]: (value: string) => value,
            [BYTEA_OID]: (value: string) =>
              Buffer.from(value.startsWith('\\x') ? value.slice(2) : value, 'hex'),
          },
        });
        this.db = db;
        this.client = new PgliteClient(db);
        return db;
      })();
    }
    return this.opening;
  }

  private async acquire(): Promise<[PgliteClient, (err?: unknown) => void]> {
    await this.open();
    if (this.busy) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.busy = true;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.busy = false;
    };
    return [this.client as PgliteClient, release];
  }
}

/** The `pg`-shaped module TypeORM loads instead of node-postgres. */
export function createPglitePgModule(dataDir: string | undefined): {
  Pool: new () => PglitePool;
  native: null;
} {
  let shared: PglitePool | undefined;
  class Pool extends PglitePool {
    constructor() {
      super({ dataDir });
    }
  }
  return {
    // TypeORM creates the pool once per DataSource; keep one database per module instance.
    Pool: new Proxy(Pool, {
      construct() {
        shared ??= new Pool();
        return shared;
      },
    }),
    native: null,
  };
}
