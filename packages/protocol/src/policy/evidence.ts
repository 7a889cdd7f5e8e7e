/**
 * Signing evidence v2 (issue 6, items 5–6; ARCHITECTURE.md "The trust chain for approvals",
 * step 3): what reaches a signing node with a request judged by a **published** policy
 * version. Unlike v1 (approvals counted against the key's genesis quorum), a node receiving v2
 * recomputes the whole decision: it checks the published version's approvals against its
 * key's genesis approvers, evaluates the policy on the intent, and counts the approvals with
 * `approvalStatus` from the version's directory (packages/node APPROVALS.md "Evidence v2").
 *
 * What the node cannot check itself and takes from the server, bounded and documented: the
 * initiator's identity, the times approvals were recorded (stage order), and the velocity
 * history. Everything that decides WHO approved and WHAT is signed is signed.
 */
import { z } from 'zod';
import { Approval } from '../api/signing.js';
import { Timestamp } from '../api/common.js';
import { AssetId, BaseUnitAmount, ChainName, PolicyId, SigningDigest } from './identifiers.js';
import { Initiator, Intent } from './intent.js';
import { PublishedPolicy } from './published.js';

export const EVIDENCE_V2 = 2;

/** A past request the velocity conditions sum over (velocity.ts `VelocityEntry` on the wire). */
export const VelocityRecord = z.strictObject({
  at: Timestamp,
  ruleId: PolicyId,
  initiator: Initiator.pick({ kind: true, id: true }),
  vaultId: PolicyId,
  chain: ChainName,
  asset: AssetId,
  amount: BaseUnitAmount,
});
export type VelocityRecord = z.infer<typeof VelocityRecord>;

export const SigningEvidenceV2 = z.strictObject({
  version: z.literal(EVIDENCE_V2),
  requestId: PolicyId,
  vaultId: PolicyId,
  /** Equal to `request.intent.digests`: what the approvals cover. */
  digests: z.array(SigningDigest).min(1).max(64),
  /** The published version the request was judged under (≥ 2; 1 is the genesis policy). */
  policyVersion: z.int().min(2).max(Number.MAX_SAFE_INTEGER),
  request: z.strictObject({
    intent: Intent,
    /** Who proposed it; `principal` is the person behind it (an API key's creator). */
    initiator: Initiator.extend({ principal: PolicyId }),
    /** When the server judged it: the `now` of evaluatePolicy. */
    createdAt: Timestamp,
    /** After this the approvals no longer authorise anything. */
    expiresAt: Timestamp,
  }),
  /** The published version, and its approvals over `policyApprovalPayloadJson`. */
  policy: z.strictObject({
    document: PublishedPolicy,
    approvals: z.array(Approval).min(1).max(64),
  }),
  /** Approvals over `requestApprovalPayloadJson` (decision approve), with when each came. */
  approvals: z.array(z.strictObject({ approval: Approval, at: Timestamp })).max(64),
  /** External approvers' signed answers (`externalDecisionPayloadJson`, Ed25519 hex). */
  external: z
    .array(
      z.strictObject({
        endpointId: PolicyId,
        callId: PolicyId,
        decision: z.literal('approve'),
        signature: z.string().regex(/^[0-9a-f]{128}$/, 'must be 64 bytes of lowercase hex'),
        at: Timestamp,
      }),
    )
    .max(8),
  /** The requests the velocity conditions sum over, as the server counted them. */
  velocity: z.array(VelocityRecord).max(10_000),
});
export type SigningEvidenceV2 = z.infer<typeof SigningEvidenceV2>;
