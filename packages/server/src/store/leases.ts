/**
 * Singleton background work across server replicas (issue 5: "Safe with several server
 * replicas: background jobs take row locks (`FOR UPDATE SKIP LOCKED` or advisory locks)").
 * `withAdvisoryLock` runs `fn` inside one transaction that holds a transaction-scoped
 * PostgreSQL advisory lock (`pg_try_advisory_xact_lock`, PostgreSQL docs §9.27.10): if another
 * replica holds the lock it returns `undefined` at once without running `fn` (try, never
 * wait: the holder is doing the work), and the lock is released with the transaction —
 * commit, rollback or a dropped connection — so a crashed replica never leaves it held.
 *
 * Use it for "one replica at a time" jobs (a sweep, a scheduler tick). For queues of rows,
 * claim rows with `FOR UPDATE SKIP LOCKED` instead (database.ts), so replicas share the work.
 *
 * Keys use the two-int4 form `(LEASE_NAMESPACE, hashtext(key))`, a key space distinct from
 * the one-bigint locks of migrations.ts and the audit chain. On PGlite (one connection in one
 * process) transactions are serialised, so the lock is always free when `fn` starts.
 */
import type { Database, Queryable } from './database.js';

/** First int4 of every lease lock: 'cflz' in ASCII. */
export const LEASE_NAMESPACE = 0x63666c7a;

export async function withAdvisoryLock<T>(
  db: Database,
  key: string,
  fn: (tx: Queryable) => Promise<T>,
): Promise<T | undefined> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ acquired: boolean }>(
      'SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS acquired',
      [LEASE_NAMESPACE, key],
    );
    if (rows[0]?.acquired !== true) return undefined;
    return fn(tx);
  });
}
