/**
 * A PostgreSQL server through a node-postgres pool, behind the `Database` seam. Each
 * transaction holds one pooled client from BEGIN to COMMIT/ROLLBACK. Timestamps come back
 * as `Date`, as with PGlite.
 */
import pg from 'pg';
import type { Database, Queryable } from './database.js';

export async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // Surface a wrong URL or a server that is down at start-up, not on the first request.
  const probe = await pool.connect();
  probe.release();
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries report their own errors.
  });
  const queryable = (q: Pick<pg.Pool, 'query'> | pg.PoolClient): Queryable => ({
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const result = await q.query(sql, [...params]);
      return result.rows as R[];
    },
  });
  return {
    dialect: 'postgres',
    ...queryable(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const value = await fn(queryable(client));
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async exec(script) {
      await pool.query(script);
    },
    close: () => pool.end(),
  };
}
