/**
 * Published policy versions and the payloads that approve them (issue 6, items 5–7;
 * ARCHITECTURE.md "The trust chain for approvals", steps 2–3).
 *
 * A `PublishedPolicy` is what the organisation's admins sign and what a signing node checks:
 * the policy document, plus the **directory** the engine needs to count approvals without
 * asking the server — who holds which role, which approval keys belong to whom, and the
 * verification keys of external approvers. A node accepts a version only with approvals over
 * `policyApprovalPayloadJson` from a quorum of its key's genesis approvers, then recomputes
 * `evaluatePolicy` and `approvalStatus` from it (packages/node APPROVALS.md, evidence v2).
 *
 * Three payloads, each canonical JSON (canonical-json.ts) with a `type` that keeps one kind of
 * signature from being replayed as another:
 * - `policyApprovalPayloadJson`: an admin's approval (or rejection) of a policy version;
 * - `requestApprovalPayloadJson`: an approver's decision on a request judged by a published
 *   policy — it names the intent's hash and the request's expiry, so an approval covers
 *   exactly what the approver saw and stops counting when the request expires;
 * - `externalDecisionPayloadJson`: an external approver's signed answer to one call.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { Role } from '../api/common.js';
import { PolicyApprover } from '../api/vaults.js';
import { canonicalJson } from '../canonical-json.js';
import { PolicyDocument } from './document.js';
import { PolicyId } from './identifiers.js';
import type { Intent } from './intent.js';

export const PUBLISHED_POLICY_VERSION = 1;
export const MAX_DIRECTORY_MEMBERS = 10_000;
export const MAX_DIRECTORY_APPROVERS = 1_000;

const Hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 32 bytes of lowercase hex');

/** A member of the organisation when the version was proposed: a user id and its role. */
export const DirectoryMember = z.strictObject({ id: PolicyId, role: Role });
export type DirectoryMember = z.infer<typeof DirectoryMember>;

/** The Ed25519 key an external approver signs its answers with (RFC 8032, hex). */
export const ExternalApproverKey = z.strictObject({ endpointId: PolicyId, publicKey: Hex32 });
export type ExternalApproverKey = z.infer<typeof ExternalApproverKey>;

export const PolicyDirectory = z
  .strictObject({
    members: z.array(DirectoryMember).max(MAX_DIRECTORY_MEMBERS),
    /** Approval keys; `principal` is the member (user id) whose approvals they are. */
    approvers: z.array(PolicyApprover).max(MAX_DIRECTORY_APPROVERS),
    externalApprovers: z.array(ExternalApproverKey).max(64),
  })
  .superRefine((directory, ctx) => {
    const unique = (values: string[], path: string, what: string) => {
      const seen = new Set<string>();
      values.forEach((value, index) => {
        if (seen.has(value)) ctx.addIssue({ code: 'custom', path: [path, index], message: what });
        seen.add(value);
      });
    };
    unique(
      directory.members.map((m) => m.id),
      'members',
      'duplicate member',
    );
    unique(
      directory.approvers.map((a) => a.keyId),
      'approvers',
      'duplicate approver key',
    );
    unique(
      directory.externalApprovers.map((e) => e.endpointId),
      'externalApprovers',
      'duplicate endpoint',
    );
    const members = new Set(directory.members.map((m) => m.id));
    directory.approvers.forEach((approver, index) => {
      if (approver.principal === undefined || !members.has(approver.principal)) {
        ctx.addIssue({
          code: 'custom',
          path: ['approvers', index, 'principal'],
          message: 'must name a member of the directory',
        });
      }
    });
  });
export type PolicyDirectory = z.infer<typeof PolicyDirectory>;

export const PublishedPolicy = z
  .strictObject({
    version: z.literal(PUBLISHED_POLICY_VERSION),
    orgId: PolicyId,
    /** Equal to `policy.policyVersion`; versions of an organisation increase by one. */
    policyVersion: z.int().min(2).max(Number.MAX_SAFE_INTEGER),
    /** `publishedPolicyHash` of the version this one replaces; null for the first one. */
    previousHash: Hex32.nullable(),
    policy: PolicyDocument,
    directory: PolicyDirectory,
  })
  .refine((p) => p.policy.policyVersion === p.policyVersion, {
    path: ['policy', 'policyVersion'],
    message: 'must equal the published policyVersion',
  });
export type PublishedPolicy = z.infer<typeof PublishedPolicy>;

const sha256Hex = (text: string) => bytesToHex(sha256(utf8ToBytes(text)));

/** SHA-256 of the canonical JSON of `{ type: 'coffer.policy-version.v1', document }`, hex. */
export function publishedPolicyHash(document: PublishedPolicy): string {
  return sha256Hex(canonicalJson({ type: 'coffer.policy-version.v1', document }));
}

/** SHA-256 of the intent's canonical JSON, hex: what a request approval names. */
export function intentHash(intent: Intent): string {
  return sha256Hex(canonicalJson({ type: 'coffer.intent.v1', intent }));
}

export type Decision = 'approve' | 'reject';

/** What an admin signs to approve (or reject) publishing a policy version. */
export function policyApprovalPayloadJson(fields: {
  readonly orgId: string;
  readonly policyVersion: number;
  readonly hash: string;
  readonly decision: Decision;
}): string {
  return canonicalJson({
    type: 'coffer.policy-approval.v1',
    decision: fields.decision,
    hash: fields.hash,
    orgId: fields.orgId,
    policyVersion: fields.policyVersion,
  });
}

/** What an approver signs to decide a request judged by a published policy version. */
export function requestApprovalPayloadJson(fields: {
  readonly requestId: string;
  readonly vaultId: string;
  readonly digests: readonly string[];
  readonly policyVersion: number;
  readonly intentHash: string;
  /** ISO 8601 (UTC, milliseconds), as stored with the request. */
  readonly expiresAt: string;
  readonly decision: Decision;
}): string {
  return canonicalJson({
    type: 'coffer.request-approval.v2',
    decision: fields.decision,
    digests: [...fields.digests],
    expiresAt: fields.expiresAt,
    intentHash: fields.intentHash,
    policyVersion: fields.policyVersion,
    requestId: fields.requestId,
    vaultId: fields.vaultId,
  });
}

/** What an external approver signs with its Ed25519 key to answer call `callId`. */
export function externalDecisionPayloadJson(fields: {
  readonly endpointId: string;
  readonly callId: string;
  readonly requestId: string;
  readonly intentHash: string;
  readonly decision: Decision;
}): string {
  return canonicalJson({
    type: 'coffer.external-decision.v1',
    callId: fields.callId,
    decision: fields.decision,
    endpointId: fields.endpointId,
    intentHash: fields.intentHash,
    requestId: fields.requestId,
  });
}
