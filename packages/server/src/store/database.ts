/**
 * The storage seam: PostgreSQL's dialect only, reached either through embedded PGlite (the
 * default: a WASM PostgreSQL in-process, data in a directory) or a PostgreSQL server
 * (`DATABASE_URL`, node-postgres pool). Repositories see only `Queryable` / `Database`, so
 * the same SQL and the same store tests run on both.
 *
 * Conventions for SQL written against it: JSON goes in as `JSON.stringify(value)` with a
 * `$n::jsonb` cast (the two drivers serialise objects differently); timestamps are
 * `timestamptz` and come back as `Date`; no `int8` columns (pg returns them as strings).
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
