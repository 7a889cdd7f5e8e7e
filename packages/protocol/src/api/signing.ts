/**
 * Signature requests (issue 5, item 7): ask a vault's nodes to sign a message (FROST) or a
 * 32-byte digest (ECDSA). Until the policy engine exists, the evidence the nodes verify is a
 * quorum of approvals by the approvers of the vault's genesis policy: each approver signs the
 * canonical approval payload (packages/node APPROVALS.md "The approval payload") — an API key
 * with Ed25519 over its bytes, a passkey with a WebAuthn assertion whose challenge is
 * base64url(SHA-256(payload)). `approvalPayloadJson` builds those exact bytes, so a client can
 * check what it is asked to approve instead of trusting the server's copy.
 */
import { z } from 'zod';
import { canonicalJson } from '../canonical-json.js';
import { Id, OrgId, Timestamp } from './common.js';
import { NodeId } from './nodes.js';
import { Failure, VaultId, VaultScheme } from './vaults.js';

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
  })
  .superRefine((v, ctx) => {
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

export const SIGNATURE_REQUEST_STATUSES = [
  'pending_approval',
  'approved',
  'signing',
  'signed',
  'failed',
] as const;
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
    policyVersion: z.number().int(),
    /** Distinct approvals needed. */
    quorum: z.number().int(),
    /** The canonical JSON string every approver signs (Ed25519: its UTF-8 bytes). */
    approvalPayload: z.string(),
    /** base64url(SHA-256(approvalPayload)): the WebAuthn challenge for passkey approvals. */
    challenge: z.string(),
    approvals: z.array(
      z.object({
        approverKeyId: z.string(),
        scheme: z.enum(['ed25519', 'webauthn-es256']),
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
}

/** The canonical approval payload (APPROVALS.md): what an approver signs, as a string. */
export function approvalPayloadJson(fields: ApprovalPayloadFields): string {
  return canonicalJson({
    decision: 'approve',
    digests: [...fields.digests],
    policyVersion: fields.policyVersion,
    requestId: fields.requestId,
    vaultId: fields.vaultId,
  });
}
