/**
 * Embedded PGlite (PostgreSQL compiled to WASM) behind the `Database` seam. One connection:
 * PGlite serialises queries and transactions itself, which also makes its advisory and row
 * locks trivially satisfied within one process. A data directory is created if missing.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.js';

export async function openPglite(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const queryable = (q: Pick<PGlite, 'query'>): Queryable => ({
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const result = await q.query<R>(sql, [...params]);
      return result.rows;
    },
  });
  return {
    dialect: 'pglite',
    ...queryable(db),
    transaction: (fn) => db.transaction((tx) => fn(queryable(tx))),
    async exec(script) {
      await db.exec(script);
    },
    close: () => db.close(),
  };
}
