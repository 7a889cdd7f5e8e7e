/**
 * Schema migrations, run on every start: the numbered `migrations/NNNN_name.sql` files in
 * order, each applied once in its own transaction and recorded in `schema_migrations`.
 * Several server replicas may start at once: a transaction-scoped advisory lock makes
 * them take turns, and each re-reads what is applied after taking it. Migrations are
 * append-only: an applied file whose content changed is refused (checksum), never re-run.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
/** Arbitrary constant naming the migration lock (pg_advisory_xact_lock key). */
const MIGRATION_LOCK = 0x636f6666;

export interface Migration {
  readonly id: string;
  readonly sql: string;
  readonly checksum: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = readFileSync(dir + f, 'utf8');
      return { id: f.slice(0, -4), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Applies every pending migration; returns the ids applied now. */
export async function migrate(db: Database, migrations = loadMigrations()): Promise<string[]> {
  // Under the lock too: two concurrent `CREATE TABLE IF NOT EXISTS` can both miss the table
  // and one then fails on PostgreSQL's catalogue (pg_type) unique index.
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  });
  const applied: string[] = [];
  for (const migration of migrations) {
    const ran = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const rows = await tx.query<{ checksum: string }>(
        'SELECT checksum FROM schema_migrations WHERE id = $1',
        [migration.id],
      );
      if (rows[0] !== undefined) {
        if (rows[0].checksum !== migration.checksum) {
          throw new MigrationError(`migration ${migration.id} was changed after it was applied`);
        }
        return false;
      }
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2)', [
        migration.id,
        migration.checksum,
      ]);
      return true;
    });
    if (ran) applied.push(migration.id);
  }
  return applied;
}

/**
 * Splits a migration into statements on `;` at line ends (our migration files keep one
 * statement per `;`-terminated block and no `;` inside function bodies), so every statement
 * runs inside the migration's transaction with parameters-free `query`.
 */
function splitStatements(sql: string): string[] {
  return sql
    .replace(/^\s*--.*$/gm, '')
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
