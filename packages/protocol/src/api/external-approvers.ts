/**
 * External approvers (issue 6, item 7): HTTPS endpoints an organisation configures — an AML or
 * KYC system — that a policy stage `{ type: 'external', endpointId }` sends requests to. Coffer
 * signs each call with HMAC-SHA256 under the endpoint's secret (shown once, at creation); the
 * endpoint answers approve or reject, signed with its own Ed25519 key, so the signing nodes can
 * verify the answer too (the public key goes into published policy directories).
 * packages/server EXTERNAL-APPROVERS.md describes the exchange.
 */
import { z } from 'zod';
import { PolicyId } from '../policy/identifiers.js';
import { Ed25519PublicKeyHex } from './auth.js';
import { OrgId, Timestamp } from './common.js';
import { WebhookUrl } from './notifications.js';

export const CreateExternalApprover = z.strictObject({
  /** The id policies name (`endpointId`), e.g. `aml`. */
  id: PolicyId,
  name: z.string().trim().min(1).max(100),
  /** https (plain http only to loopback), no credentials in the URL. */
  url: WebhookUrl,
  /**
   * The Ed25519 key (RFC 8032, 32 bytes hex, stored lowercase) the endpoint signs its answers
   * with; the server also refuses encodings that are not a point, and small-order points.
   */
  publicKey: Ed25519PublicKeyHex,
});
export type CreateExternalApprover = z.infer<typeof CreateExternalApprover>;

export const ExternalApprover = z
  .object({
    id: z.string(),
    orgId: OrgId,
    name: z.string(),
    url: z.string(),
    publicKey: z.string(),
    createdAt: Timestamp,
  })
  .meta({ id: 'ExternalApprover' });
export type ExternalApprover = z.infer<typeof ExternalApprover>;

/** The one response that carries the HMAC secret Coffer signs calls with. */
export const CreatedExternalApprover = ExternalApprover.extend({ secret: z.string() });
export type CreatedExternalApprover = z.infer<typeof CreatedExternalApprover>;

export const ExternalApproverList = z.object({ approvers: z.array(ExternalApprover) });
export type ExternalApproverList = z.infer<typeof ExternalApproverList>;

export const ExternalApproverParams = z.object({ orgId: OrgId, endpointId: PolicyId });

/** What Coffer POSTs to the endpoint (JSON). */
export const ExternalApprovalCall = z.object({
  callId: z.string(),
  orgId: z.string(),
  requestId: z.string(),
  vaultId: z.string(),
  policyVersion: z.number().int(),
  ruleId: z.string(),
  stage: z.number().int(),
  intent: z.unknown(),
  intentHash: z.string(),
  deadline: Timestamp,
});
export type ExternalApprovalCall = z.infer<typeof ExternalApprovalCall>;

/** What the endpoint answers (HTTP 200, JSON). */
export const ExternalApprovalAnswer = z.object({
  callId: z.string(),
  decision: z.enum(['approve', 'reject']),
  reason: z.string().max(1000).optional(),
  /** Ed25519 over externalDecisionPayloadJson({endpointId, callId, requestId, intentHash, decision}). */
  signature: z.string().regex(/^[0-9a-f]{128}$/),
});
export type ExternalApprovalAnswer = z.infer<typeof ExternalApprovalAnswer>;
