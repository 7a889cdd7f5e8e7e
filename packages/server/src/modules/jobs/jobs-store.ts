/**
 * The background-job table (issue 5, "Storage": safe with several server replicas). A job is
 * a `kind` and a `subject` (e.g. a vault id). `claimJob` takes the oldest claimable job inside
 * a transaction with `SELECT … FOR UPDATE SKIP LOCKED` — replicas polling at once never take
 * the same row — and marks it running under a lease; a job whose lease ran out (its replica
 * died) is claimable again, up to `MAX_ATTEMPTS`.
 */
import { newId } from '../../ids.js';
import type { Database, Queryable } from '../../store/database.js';

export const MAX_ATTEMPTS = 3;

export interface ClaimedJob {
  readonly id: string;
  readonly kind: string;
  readonly subject: string;
  readonly attempts: number;
}

/** Queues a job in the caller's transaction (so it exists only if the change commits). */
export async function enqueueJob(tx: Queryable, kind: string, subject: string): Promise<string> {
  const id = newId('job');
  await tx.query(`INSERT INTO jobs (id, kind, subject, status) VALUES ($1, $2, $3, 'queued')`, [
    id,
    kind,
    subject,
  ]);
  return id;
}

/** Claims one job for `worker` under a lease of `leaseMs`, or null when none is claimable. */
export async function claimJob(
  db: Database,
  worker: string,
  leaseMs: number,
): Promise<ClaimedJob | null> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ id: string; kind: string; subject: string; attempts: number }>(
      `SELECT id, kind, subject, attempts FROM jobs
       WHERE (status = 'queued' OR (status = 'running' AND lease_until < now()))
         AND attempts < $1
       ORDER BY created_at
       LIMIT 1
       FOR UPDATE SKIP LOCKED`,
      [MAX_ATTEMPTS],
    );
    const row = rows[0];
    if (!row) return null;
    await tx.query(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, leased_by = $2,
         lease_until = now() + make_interval(secs => $3::double precision), updated_at = now()
       WHERE id = $1`,
      [row.id, worker, leaseMs / 1000],
    );
    return { ...row, attempts: row.attempts + 1 };
  });
}

/** Records a job's end (only by the worker holding it). */
export async function finishJob(
  db: Queryable,
  id: string,
  worker: string,
  outcome: { readonly status: 'done' } | { readonly status: 'failed'; readonly error: string },
): Promise<void> {
  await db.query(
    `UPDATE jobs SET status = $3, last_error = $4, lease_until = NULL, updated_at = now()
     WHERE id = $1 AND leased_by = $2`,
    [id, worker, outcome.status, outcome.status === 'failed' ? outcome.error : null],
  );
}

/** Jobs that ran out of attempts: the caller fails their subjects (see JobRunner). */
export async function takeExhaustedJobs(db: Queryable): Promise<ClaimedJob[]> {
  return db.query<ClaimedJob>(
    `UPDATE jobs SET status = 'failed', last_error = 'gave up after ${MAX_ATTEMPTS} attempts',
       updated_at = now()
     WHERE status = 'running' AND lease_until < now() AND attempts >= $1
     RETURNING id, kind, subject, attempts`,
    [MAX_ATTEMPTS],
  );
}
