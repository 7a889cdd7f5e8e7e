/**
 * The storage seam: PostgreSQL's dialect only, reached either through embedded PGlite (the
 * default: a WASM PostgreSQL in-process, data in a directory) or a PostgreSQL server
 * (`DATABASE_URL`, node-postgres pool). Repositories see only `Queryable` / `Database`, so
 * the same SQL and the same store tests run on both.
 *
 * Conventions for SQL written against it: JSON goes in as `JSON.stringify(value)` with a
 * `$n::jsonb` cast (the two drivers serialise objects differently); timestamps are
 * `timestamptz` and come back as `Date`; no `int8` columns (pg returns them as strings).
 *
 * Several server replicas may share one PostgreSQL server, so background jobs MUST claim the
 * rows they work on with `FOR UPDATE SKIP LOCKED` inside `db.transaction` — each replica then
 * takes distinct rows and never waits for another's — and record the claim (status, owner,
 * time) in that same transaction:
 *
 *     await db.transaction(async (tx) => {
 *       const [job] = await tx.query(`SELECT id FROM jobs WHERE status = 'pending'
 *         ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED`);
 *       if (job) await tx.query(`UPDATE jobs SET status = 'running' WHERE id = $1`, [job.id]);
 *     });
 *
 * Work that only one replica may do at a time uses `withAdvisoryLock` (leases.ts).
 */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export type DatabaseDialect = 'pglite' | 'postgres';

export interface Database extends Queryable {
  readonly dialect: DatabaseDialect;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a script of several statements (migrations). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** `postgres://…`: use that server; otherwise embedded PGlite. */
  readonly databaseUrl?: string | undefined;
  /** PGlite data directory; `memory://` for a throw-away in-memory database (tests). */
  readonly dataDir: string;
}

/** Opens the configured database (dynamic imports: each driver loads only when chosen). */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(options.databaseUrl);
  }
  const { openPglite } = await import('./pglite.js');
  return openPglite(options.dataDir);
}
