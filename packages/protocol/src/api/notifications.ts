/**
 * Notifications over HTTP (issue 6, item 9): the organisation's event stream (server-sent
 * events of its audit entries), the signature requests waiting for the caller's approval, and
 * webhooks — signed HTTP callbacks for audit entries matching patterns, with their delivery log.
 * NOTIFICATIONS.md (packages/server) documents the wire format and signature verification.
 */
import { z } from 'zod';
import { Id, OrgId, Timestamp } from './common.js';
import { AuditEntrySchema } from './audit.js';

export const WebhookId = Id('whk');
export const WebhookDeliveryId = Id('dlv');

/** `*` (every event), an exact action (`vault.activated`) or a prefix (`signature.*`). */
export const EventPattern = z
  .string()
  .regex(
    /^(\*|[a-z0-9-]+(\.[a-z0-9-]+)*(\.\*)?)$/,
    "must be '*', an action like 'vault.activated' or a prefix like 'signature.*'",
  );

/** Hosts a plain-http webhook may use (tests, local development): loopback only. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export const WebhookUrl = z
  .url()
  .max(2048)
  .refine((value) => {
    // Runs even when z.url() failed (zod 4 keeps checking): never throw on a non-URL.
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    if (url.username !== '' || url.password !== '') return false;
    return (
      url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))
    );
  }, 'must be an https URL without credentials (plain http only to a loopback address)');

export const WebhookCreateBody = z.object({
  url: WebhookUrl,
  events: z.array(EventPattern).min(1).max(32),
  description: z.string().trim().max(200).optional(),
});

export const WebhookSchema = z
  .object({
    id: WebhookId,
    orgId: OrgId,
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    /** The last audit seq the dispatcher has turned into deliveries. */
    cursor: z.number().int().min(0),
    createdAt: Timestamp,
  })
  .meta({ id: 'Webhook' });

/** The creation answer: the only time the signing secret is shown. */
export const WebhookCreated = WebhookSchema.extend({ secret: z.string() });

export const WebhookList = z.object({ webhooks: z.array(WebhookSchema) });

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'failed'] as const;

export const WebhookDeliverySchema = z
  .object({
    id: WebhookDeliveryId,
    webhookId: WebhookId,
    /** The idempotency key (`<chain>:<seq>`), sent as Coffer-Webhook-Id on every attempt. */
    eventId: z.string(),
    event: z.string(),
    seq: z.number().int(),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: Timestamp.nullable(),
    deliveredAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'WebhookDelivery' });

export const WebhookDeliveryList = z.object({ deliveries: z.array(WebhookDeliverySchema) });

export const WebhookParams = z.object({ orgId: OrgId, webhookId: WebhookId });
export const WebhookDeliveryParams = WebhookParams.extend({ deliveryId: WebhookDeliveryId });

/** The JSON body POSTed to a webhook. */
export const WebhookPayload = z.object({
  id: z.string(),
  event: z.string(),
  entry: AuditEntrySchema,
});

export const EventsParams = z.object({ orgId: OrgId });
export const EventsQuery = z.object({
  /** Resume after this seq (the `Last-Event-ID` header wins when both are given). */
  after: z.coerce.number().int().min(0).optional(),
});

export const PendingApproval = z.object({
  requestId: z.string(),
  orgId: OrgId,
  vaultId: z.string(),
  scheme: z.string(),
  digest: z.string(),
  /** Genesis policy: distinct approvals needed; published policy: null (see `missing`). */
  quorum: z.number().int().nullable(),
  /** Decisions so far. */
  approvals: z.number().int(),
  /** What the open stage, and every stage after it, still needs. */
  missing: z.array(z.string()),
  createdAt: Timestamp,
  expiresAt: Timestamp,
});

export const PendingApprovals = z.object({ requests: z.array(PendingApproval) });

export type WebhookCreateBody = z.infer<typeof WebhookCreateBody>;
export type Webhook = z.infer<typeof WebhookSchema>;
export type WebhookCreated = z.infer<typeof WebhookCreated>;
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;
export type WebhookPayload = z.infer<typeof WebhookPayload>;
export type PendingApproval = z.infer<typeof PendingApproval>;
