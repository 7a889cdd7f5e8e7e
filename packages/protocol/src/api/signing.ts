/**
 * Signature requests (issue 5, item 7; issue 6, items 1–2 and 6): ask a vault's nodes to sign a
 * message (FROST) or a 32-byte digest (ECDSA), described by a normalised intent. The
 * organisation's published policy judges it (block, allow, require approvals); without a
 * published policy the vault's genesis policy does (a quorum of its approvers, version 1).
 * Each approver signs a canonical payload — an API key with Ed25519 over its bytes, a passkey
 * with a WebAuthn assertion whose challenge is base64url(SHA-256(payload)):
 * `approvalPayloadJson` (genesis policy, packages/node APPROVALS.md) or
 * `requestApprovalPayloadJson` (published policy, policy/published.ts). `expectedDecisionPayload`
 * rebuilds the payload from the request's own fields, so a client can check what it is asked
 * to sign instead of trusting the server's copy.
 */
import { z } from 'zod';
import { canonicalJson } from '../canonical-json.js';
import { Id, OrgId, Timestamp } from './common.js';
import { NodeId } from './nodes.js';
import { Failure, VaultId, VaultScheme } from './vaults.js';
import { Initiator, Intent } from '../policy/intent.js';
import { intentHash, requestApprovalPayloadJson, type Decision } from '../policy/published.js';

export const SignatureRequestId = Id('sig');

const Hex = z.string().regex(/^(?:[0-9a-f]{2})+$/, 'must be lowercase hex (whole bytes)');

export const CreateSignatureRequest = z
  .strictObject({
    scheme: VaultScheme,
    /** frost-ed25519 / frost-taproot: the message to sign, hex (1..65536 bytes). */
    message: Hex.max(2 * 65536).optional(),
    /** ecdsa-secp256k1: the 32-byte digest to sign, hex. */
    digest: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be 32 bytes of lowercase hex')
      .optional(),
    /**
     * What the request does, for the policy (instead of `message`/`digest`): its one digest is
     * what is signed. Without it the request is a `message` intent on chain "raw".
     */
    intent: Intent.optional(),
    /** How long approvals may take: 60 s to 30 days, default 24 h. */
    expiresInSeconds: z
      .int()
      .min(60)
      .max(30 * 24 * 3600)
      .optional(),
  })
  .superRefine((v, ctx) => {
    if (v.intent !== undefined) {
      for (const field of ['message', 'digest'] as const) {
        if (v[field] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [field], message: 'not with intent' });
        }
      }
      if (v.intent.digests.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['intent', 'digests'],
          message: 'one digest per request',
        });
      } else if (v.scheme === 'ecdsa-secp256k1' && v.intent.digests[0]!.length !== 64) {
        ctx.addIssue({
          code: 'custom',
          path: ['intent', 'digests', 0],
          message: 'ECDSA signs a 32-byte digest',
        });
      }
      return;
    }
    if (v.scheme === 'ecdsa-secp256k1') {
      if (v.digest === undefined) {
        ctx.addIssue({ code: 'custom', path: ['digest'], message: 'ECDSA signs a 32-byte digest' });
      }
      if (v.message !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['message'], message: 'not for ECDSA; use digest' });
      }
    } else {
      if (v.message === undefined) {
        ctx.addIssue({ code: 'custom', path: ['message'], message: 'FROST signs a message' });
      }
      if (v.digest !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['digest'], message: 'not for FROST; use message' });
      }
    }
  });
export type CreateSignatureRequest = z.infer<typeof CreateSignatureRequest>;

const ApproverKeyId = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be an approver key id');
const Base64url = z.string().regex(/^[A-Za-z0-9_-]{1,8192}$/, 'must be base64url');

/** An approval in the nodes' evidence format (APPROVALS.md "Approval schemes"). */
export const Approval = z
  .discriminatedUnion('scheme', [
    z.strictObject({
      approverKeyId: ApproverKeyId,
      scheme: z.literal('ed25519'),
      /** Ed25519 over the approval payload's bytes, 64 bytes hex. */
      signature: z.string().regex(/^[0-9a-f]{128}$/, 'must be 64 bytes of lowercase hex'),
    }),
    z.strictObject({
      approverKeyId: ApproverKeyId,
      scheme: z.literal('webauthn-es256'),
      signature: Base64url,
      authenticatorData: Base64url,
      clientDataJSON: Base64url,
    }),
  ])
  .meta({ id: 'Approval' });
export type Approval = z.infer<typeof Approval>;

/**
 * The request state machine (issue 6, item 2): pending_policy → pending_approval → approved →
 * signing → signed (→ broadcast → confirmed, set by chain adapters), ending instead in
 * rejected (by the policy or an approver), cancelled (by the initiator or an admin), expired
 * or failed.
 */
export const SIGNATURE_REQUEST_STATUSES = [
  'pending_policy',
  'pending_approval',
  'approved',
  'signing',
  'signed',
  'broadcast',
  'confirmed',
  'rejected',
  'cancelled',
  'expired',
  'failed',
] as const;
/** States a request can still be cancelled or expire in. */
export const OPEN_REQUEST_STATUSES = ['pending_policy', 'pending_approval', 'approved'] as const;
export const SignatureRequestStatus = z.enum(SIGNATURE_REQUEST_STATUSES);

export const SignatureResult = z
  .object({
    /** FROST: the 64-byte Schnorr signature (RFC 9591 / BIP340); ECDSA: r ‖ s, low s. */
    signature: z.string(),
    /** ECDSA only: the recovery id (0..3). */
    recoveryId: z.number().int().min(0).max(3).nullable(),
    /** The key the signature verifies under (x-only and tweaked for Taproot). */
    publicKey: z.string(),
    /** The nodes that signed. */
    signers: z.array(NodeId),
  })
  .meta({ id: 'SignatureResult' });
export type SignatureResult = z.infer<typeof SignatureResult>;

export const SignatureRequest = z
  .object({
    id: SignatureRequestId,
    orgId: OrgId,
    vaultId: VaultId,
    scheme: VaultScheme,
    /** What is signed, hex: the message (FROST) or the digest (ECDSA); the approvals cover it. */
    digest: z.string(),
    status: SignatureRequestStatus,
    intent: Intent,
    initiator: Initiator,
    /** 1: the vault's genesis policy judged it; ≥ 2: that published version did. */
    policyVersion: z.number().int(),
    /** The policy's decision and why (the deciding rule; every rule tried before it). */
    decision: z.object({
      outcome: z.enum(['block', 'allow', 'require-approvals']),
      ruleId: z.string().nullable(),
      ruleName: z.string().nullable(),
      reasons: z.array(z.string()),
    }),
    /** Genesis policy: distinct approvals needed; published policy: null (see `progress`). */
    quorum: z.number().int().nullable(),
    /** Where the approvals stand: the open stage and what it and later stages still need. */
    progress: z.object({
      state: z.enum(['pending', 'approved', 'rejected']),
      stage: z.number().int(),
      missing: z.array(z.string()),
    }),
    expiresAt: Timestamp,
    /** The canonical JSON string every approver signs (Ed25519: its UTF-8 bytes). */
    approvalPayload: z.string(),
    /** base64url(SHA-256(approvalPayload)): the WebAuthn challenge for passkey approvals. */
    challenge: z.string(),
    /** The same for a rejection. */
    rejectionPayload: z.string(),
    rejectionChallenge: z.string(),
    approvals: z.array(
      z.object({
        approverKeyId: z.string(),
        scheme: z.enum(['ed25519', 'webauthn-es256']),
        decision: z.enum(['approve', 'reject']),
        /** The person the key belongs to (null: the key is its own principal). */
        principal: z.string().nullable(),
        approvedAt: Timestamp,
      }),
    ),
    result: SignatureResult.nullable(),
    failure: Failure.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'SignatureRequest' });
export type SignatureRequest = z.infer<typeof SignatureRequest>;

export const SignatureRequestList = z.object({ requests: z.array(SignatureRequest) });
export type SignatureRequestList = z.infer<typeof SignatureRequestList>;

export const SignatureRequestParams = z.object({
  orgId: OrgId,
  vaultId: VaultId,
  requestId: SignatureRequestId,
});

export interface ApprovalPayloadFields {
  readonly requestId: string;
  readonly vaultId: string;
  readonly digests: readonly string[];
  readonly policyVersion: number;
  /** Default `approve`; nodes only ever accept approvals. */
  readonly decision?: Decision;
}

/**
 * The canonical approval payload of the genesis policy (APPROVALS.md evidence v1): what an
 * approver signs, as a string.
 */
export function approvalPayloadJson(fields: ApprovalPayloadFields): string {
  return canonicalJson({
    decision: fields.decision ?? 'approve',
    digests: [...fields.digests],
    policyVersion: fields.policyVersion,
    requestId: fields.requestId,
    vaultId: fields.vaultId,
  });
}

/**
 * The payload a decision on `request` signs, rebuilt from the request's own fields: genesis
 * policy (version 1) → `approvalPayloadJson`, a published version → `requestApprovalPayloadJson`.
 */
export function expectedDecisionPayload(
  request: Pick<SignatureRequest, 'id' | 'vaultId' | 'intent' | 'policyVersion' | 'expiresAt'>,
  decision: Decision,
): string {
  const fields = {
    requestId: request.id,
    vaultId: request.vaultId,
    digests: request.intent.digests,
    policyVersion: request.policyVersion,
    decision,
  };
  return request.policyVersion === 1
    ? approvalPayloadJson(fields)
    : requestApprovalPayloadJson({
        ...fields,
        intentHash: intentHash(request.intent),
        expiresAt: request.expiresAt,
      });
}
