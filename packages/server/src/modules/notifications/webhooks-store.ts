/**
 * Webhooks and their delivery log (tables `webhooks`, `webhook_deliveries`, migration 0007):
 * what the routes read and change. A new webhook starts at its organisation's current audit
 * head, so it receives events from its creation on. The dispatcher's claims and fan-out are in
 * delivery-queue.ts.
 */
import type { Webhook, WebhookCreateBody, WebhookDelivery } from '@coffer/protocol';
import { newId, newSecretToken } from '../../ids.js';
import type { Queryable } from '../../store/database.js';
import { auditHead } from '../audit/audit-store.js';

interface WebhookRow {
  id: string;
  org_id: string;
  url: string;
  events: string[];
  description: string | null;
  cursor_seq: number;
  created_at: Date;
}

interface DeliveryRow {
  id: string;
  webhook_id: string;
  chain: string;
  seq: number;
  action: string;
  status: WebhookDelivery['status'];
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
}

const toWebhook = (row: WebhookRow): Webhook => ({
  id: row.id,
  orgId: row.org_id,
  url: row.url,
  events: row.events,
  description: row.description,
  cursor: row.cursor_seq,
  createdAt: row.created_at.toISOString(),
});

const toDelivery = (row: DeliveryRow): WebhookDelivery => ({
  id: row.id,
  webhookId: row.webhook_id,
  eventId: `${row.chain}:${row.seq}`,
  event: row.action,
  seq: row.seq,
  status: row.status,
  attempts: row.attempts,
  lastStatusCode: row.last_status_code,
  lastError: row.last_error,
  nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
  deliveredAt: row.delivered_at?.toISOString() ?? null,
  createdAt: row.created_at.toISOString(),
});

const WEBHOOK_COLUMNS = 'id, org_id, url, events, description, cursor_seq, created_at';

/** Creates a webhook at the organisation's audit head; returns it with its new secret. */
export async function createWebhook(
  tx: Queryable,
  orgId: string,
  input: WebhookCreateBody,
  createdBy: string,
): Promise<{ webhook: Webhook; secret: string }> {
  const secret = `whsec_${newSecretToken()}`;
  const head = await auditHead(tx, orgId);
  const rows = await tx.query<WebhookRow>(
    `INSERT INTO webhooks (id, org_id, url, events, description, secret, cursor_seq, created_by)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8) RETURNING ${WEBHOOK_COLUMNS}`,
    [
      newId('whk'),
      orgId,
      input.url,
      JSON.stringify(input.events),
      input.description ?? null,
      secret,
      head?.seq ?? 0,
      createdBy,
    ],
  );
  return { webhook: toWebhook(rows[0]!), secret };
}

export async function listWebhooks(db: Queryable, orgId: string): Promise<Webhook[]> {
  const rows = await db.query<WebhookRow>(
    `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE org_id = $1 ORDER BY created_at, id`,
    [orgId],
  );
  return rows.map(toWebhook);
}

export async function findWebhook(
  db: Queryable,
  orgId: string,
  webhookId: string,
): Promise<Webhook | null> {
  const rows = await db.query<WebhookRow>(
    `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE org_id = $1 AND id = $2`,
    [orgId, webhookId],
  );
  return rows[0] ? toWebhook(rows[0]) : null;
}

/** Deletes a webhook and its delivery log; false when there was none. */
export async function deleteWebhook(
  db: Queryable,
  orgId: string,
  webhookId: string,
): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    'DELETE FROM webhooks WHERE org_id = $1 AND id = $2 RETURNING id',
    [orgId, webhookId],
  );
  return rows.length > 0;
}

const DELIVERY_COLUMNS = `id, webhook_id, chain, seq, action, status, attempts, last_status_code,
  last_error, next_attempt_at, delivered_at, created_at`;

/** The newest deliveries of a webhook first. */
export async function listDeliveries(
  db: Queryable,
  webhookId: string,
  limit = 200,
): Promise<WebhookDelivery[]> {
  const rows = await db.query<DeliveryRow>(
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1
     ORDER BY seq DESC LIMIT $2`,
    [webhookId, limit],
  );
  return rows.map(toDelivery);
}

export type RedeliverOutcome = WebhookDelivery | 'not-found' | 'in-flight';

/**
 * Queues a delivery again now with a fresh retry schedule (attempts restart at 0; the
 * idempotency key stays the same). A delivery being attempted right now is left alone.
 */
export async function redeliver(
  tx: Queryable,
  webhookId: string,
  deliveryId: string,
): Promise<RedeliverOutcome> {
  const found = await tx.query<{ status: string }>(
    'SELECT status FROM webhook_deliveries WHERE id = $1 AND webhook_id = $2 FOR UPDATE',
    [deliveryId, webhookId],
  );
  if (!found[0]) return 'not-found';
  if (found[0].status === 'delivering') return 'in-flight';
  const rows = await tx.query<DeliveryRow>(
    `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(),
       leased_by = NULL, lease_until = NULL, updated_at = now()
     WHERE id = $1 RETURNING ${DELIVERY_COLUMNS}`,
    [deliveryId],
  );
  return toDelivery(rows[0]!);
}
