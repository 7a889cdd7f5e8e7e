/**
 * The webhook delivery queue, safe with several server replicas (issue 5, "Storage"). Two
 * steps, each one transaction:
 * - `fanOut` locks webhooks that are behind their organisation's audit head
 *   (`FOR UPDATE SKIP LOCKED`: one replica per webhook at a time), inserts one delivery per
 *   new entry matching the webhook's patterns and advances the webhook's cursor in the same
 *   transaction — so an entry becomes a delivery exactly once (the unique
 *   (webhook, chain, seq) key backs this up).
 * - `claimDeliveries` takes due deliveries (`FOR UPDATE SKIP LOCKED`) and marks them
 *   'delivering' under a lease; a delivery whose lease ran out (its replica died mid-request)
 *   is claimable again. `recordAttempt` is accepted only from the lease holder.
 * Audit seqs of one chain commit in order (appendAudit holds the chain's advisory lock until
 * commit), so a cursor never skips an entry that commits later with a smaller seq.
 */
import type { AuditEntry } from '@coffer/protocol';
import { newId } from '../../ids.js';
import type { Database } from '../../store/database.js';
import { listAudit } from '../audit/audit-store.js';
import { matchesEventPatterns } from './webhook-signature.js';

export interface ClaimedDelivery {
  readonly id: string;
  readonly webhookId: string;
  readonly url: string;
  readonly secret: string;
  readonly attempts: number;
  readonly entry: AuditEntry;
}

/**
 * Turns new audit entries into deliveries for up to `batch` webhooks; returns how many
 * webhooks it advanced (0: none is behind, or the others are being advanced elsewhere).
 */
export async function fanOut(db: Database, batch = 20, entriesPerWebhook = 500): Promise<number> {
  return db.transaction(async (tx) => {
    const behind = await tx.query<{
      id: string;
      org_id: string;
      events: string[];
      cursor_seq: number;
    }>(
      `SELECT w.id, w.org_id, w.events, w.cursor_seq FROM webhooks w
       WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.chain = w.org_id AND a.seq > w.cursor_seq)
       ORDER BY w.id LIMIT $1
       FOR UPDATE OF w SKIP LOCKED`,
      [batch],
    );
    for (const webhook of behind) {
      const entries = await listAudit(tx, webhook.org_id, webhook.cursor_seq, entriesPerWebhook);
      for (const entry of entries) {
        if (!matchesEventPatterns(webhook.events, entry.action)) continue;
        await tx.query(
          `INSERT INTO webhook_deliveries (id, webhook_id, chain, seq, action, status, next_attempt_at)
           VALUES ($1, $2, $3, $4, $5, 'pending', now())
           ON CONFLICT (webhook_id, chain, seq) DO NOTHING`,
          [newId('dlv'), webhook.id, entry.chain, entry.seq, entry.action],
        );
      }
      const last = entries.at(-1);
      if (last) {
        await tx.query('UPDATE webhooks SET cursor_seq = $2 WHERE id = $1', [webhook.id, last.seq]);
      }
    }
    return behind.length;
  });
}

/** Fails deliveries whose lease ran out on their last allowed attempt. */
export async function failAbandoned(db: Database, maxAttempts: number): Promise<void> {
  await db.query(
    `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, lease_until = NULL,
       last_error = coalesce(last_error, 'the delivering replica stopped'), updated_at = now()
     WHERE status = 'delivering' AND lease_until < now() AND attempts >= $1`,
    [maxAttempts],
  );
}

/** Claims up to `limit` due deliveries for `worker` under a lease of `leaseMs`. */
export async function claimDeliveries(
  db: Database,
  worker: string,
  input: { readonly limit: number; readonly leaseMs: number; readonly maxAttempts: number },
): Promise<ClaimedDelivery[]> {
  return db.transaction(async (tx) => {
    const due = await tx.query<{ id: string }>(
      `SELECT id FROM webhook_deliveries
       WHERE ((status = 'pending' AND next_attempt_at <= now())
           OR (status = 'delivering' AND lease_until < now()))
         AND attempts < $2
       ORDER BY next_attempt_at, seq LIMIT $1
       FOR UPDATE SKIP LOCKED`,
      [input.limit, input.maxAttempts],
    );
    if (due.length === 0) return [];
    const rows = await tx.query<{
      id: string;
      webhook_id: string;
      url: string;
      secret: string;
      attempts: number;
      chain: string;
      seq: number;
    }>(
      `UPDATE webhook_deliveries d SET status = 'delivering', attempts = d.attempts + 1,
         leased_by = $2, lease_until = now() + make_interval(secs => $3::double precision),
         updated_at = now()
       FROM webhooks w
       WHERE d.id = ANY($1::text[]) AND w.id = d.webhook_id
       RETURNING d.id, d.webhook_id, w.url, w.secret, d.attempts, d.chain, d.seq`,
      [due.map((d) => d.id), worker, input.leaseMs / 1000],
    );
    const claimed: ClaimedDelivery[] = [];
    for (const row of rows) {
      const [entry] = await listAudit(tx, row.chain, row.seq - 1, 1);
      if (!entry) continue; // cannot happen: the audit log refuses DELETE
      claimed.push({
        id: row.id,
        webhookId: row.webhook_id,
        url: row.url,
        secret: row.secret,
        attempts: row.attempts,
        entry,
      });
    }
    return claimed;
  });
}

export type AttemptOutcome =
  | { readonly kind: 'delivered'; readonly statusCode: number }
  | {
      readonly kind: 'retry' | 'failed';
      readonly statusCode: number | null;
      readonly error: string;
      /** Seconds until the next attempt ('retry' only). */
      readonly retryInSeconds?: number;
    };

/** Records one attempt's outcome, only if `worker` still holds the delivery's lease. */
export async function recordAttempt(
  db: Database,
  deliveryId: string,
  worker: string,
  outcome: AttemptOutcome,
): Promise<void> {
  if (outcome.kind === 'delivered') {
    await db.query(
      `UPDATE webhook_deliveries SET status = 'delivered', last_status_code = $3, last_error = NULL,
         delivered_at = now(), next_attempt_at = NULL, lease_until = NULL, updated_at = now()
       WHERE id = $1 AND leased_by = $2 AND status = 'delivering'`,
      [deliveryId, worker, outcome.statusCode],
    );
    return;
  }
  await db.query(
    `UPDATE webhook_deliveries SET status = $3, last_status_code = $4, last_error = $5,
       next_attempt_at = CASE WHEN $3 = 'pending'
         THEN now() + make_interval(secs => $6::double precision) ELSE NULL END,
       lease_until = NULL, updated_at = now()
     WHERE id = $1 AND leased_by = $2 AND status = 'delivering'`,
    [
      deliveryId,
      worker,
      outcome.kind === 'retry' ? 'pending' : 'failed',
      outcome.statusCode,
      outcome.error.slice(0, 500),
      outcome.retryInSeconds ?? 0,
    ],
  );
}
