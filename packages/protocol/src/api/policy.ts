/**
 * Governed policy versions and the dry run (issue 6, item 5). A change to the organisation's
 * policy or address book is a proposal of the next version; it is published once the admin
 * quorum approved it with their approval keys, each signing `policyApprovalPayloadJson` over
 * the version's hash, and those approvals are what the signing nodes check
 * (policy/published.ts). The dry run answers "what would happen to this request, and why"
 * with the engine's own reasons.
 */
import { z } from 'zod';
import { Initiator, Intent } from '../policy/intent.js';
import { AddressBookEntry, PolicyDocument } from '../policy/document.js';
import { PublishedPolicy } from '../policy/published.js';
import { OrgId, Timestamp } from './common.js';
import { VaultId } from './vaults.js';

export const PolicyVersionNumber = z.coerce.number().int().min(2).max(Number.MAX_SAFE_INTEGER);

export const PolicyVersionParams = z.object({ orgId: OrgId, version: PolicyVersionNumber });

/**
 * Propose the next version. `policy.policyVersion` must be the current version + 1 (the
 * current is 1 while nothing is published): a proposal written against an older version is
 * refused (409) rather than silently replacing someone else's change.
 */
export const ProposePolicyVersion = z.strictObject({ policy: PolicyDocument });
export type ProposePolicyVersion = z.infer<typeof ProposePolicyVersion>;

/** Propose the current policy plus one address-book entry (the usual governed change). */
export const ProposeAddressBookEntry = z.strictObject({ entry: AddressBookEntry });
export type ProposeAddressBookEntry = z.infer<typeof ProposeAddressBookEntry>;

export const POLICY_VERSION_STATUSES = ['proposed', 'published', 'rejected', 'withdrawn'] as const;

export const PolicyVersion = z
  .object({
    orgId: OrgId,
    policyVersion: z.number().int(),
    /** proposed → published (admin quorum approved) | rejected (an admin rejected) | withdrawn. */
    status: z.enum(POLICY_VERSION_STATUSES),
    /** Whether this is the version new requests are judged by. */
    current: z.boolean(),
    hash: z.string(),
    document: PublishedPolicy,
    /** Distinct owners/admins whose approval publishes it. */
    adminQuorum: z.number().int(),
    proposedBy: z.string(),
    /** What an admin signs to approve it (Ed25519: the UTF-8 bytes). */
    approvalPayload: z.string(),
    /** base64url(SHA-256(approvalPayload)): the WebAuthn challenge. */
    challenge: z.string(),
    rejectionPayload: z.string(),
    rejectionChallenge: z.string(),
    approvals: z.array(
      z.object({
        approverKeyId: z.string(),
        scheme: z.enum(['ed25519', 'webauthn-es256']),
        principal: z.string(),
        decision: z.enum(['approve', 'reject']),
        approvedAt: Timestamp,
      }),
    ),
    /**
     * Per active vault: whether its nodes accept this version (a quorum of the vault's genesis
     * approvers approved it), and if not, what is missing.
     */
    vaults: z.array(
      z.object({ vaultId: VaultId, accepted: z.boolean(), missing: z.string().nullable() }),
    ),
    createdAt: Timestamp,
    decidedAt: Timestamp.nullable(),
  })
  .meta({ id: 'PolicyVersion' });
export type PolicyVersion = z.infer<typeof PolicyVersion>;

export const PolicyVersionList = z.object({ versions: z.array(PolicyVersion) });
export type PolicyVersionList = z.infer<typeof PolicyVersionList>;

/** The version new requests are judged by: 1 (each vault's genesis policy) or a published one. */
export const CurrentPolicy = z.object({
  policyVersion: z.number().int(),
  published: PolicyVersion.nullable(),
});
export type CurrentPolicy = z.infer<typeof CurrentPolicy>;

export const PolicyDryRun = z.strictObject({
  intent: Intent,
  /** Who would propose it; default: the caller. */
  initiator: Initiator.optional(),
  /** A draft to judge by instead of the current published policy. */
  policy: PolicyDocument.optional(),
  /** The moment to judge at; default: now. */
  at: Timestamp.optional(),
});
export type PolicyDryRun = z.infer<typeof PolicyDryRun>;

export const PolicyDryRunResult = z
  .object({
    policyVersion: z.number().int(),
    outcome: z.enum(['block', 'allow', 'require-approvals']),
    ruleId: z.string().nullable(),
    ruleName: z.string().nullable(),
    /** Every rule tried, why it did not match, then why the deciding rule did. */
    reasons: z.array(z.string()),
  })
  .meta({ id: 'PolicyDryRunResult' });
export type PolicyDryRunResult = z.infer<typeof PolicyDryRunResult>;
