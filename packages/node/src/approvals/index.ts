/**
 * The approval gate (issue 4, "Approval gate"; issue 6; APPROVALS.md): the signing-evidence
 * formats, the admin-signed approval policy, `verifyEvidence` (v1), `verifyEvidenceV2` (a
 * published policy version, recomputed) and `verifyAnyEvidence`, which the session runner calls
 * before joining a signing session, `verifyApprovalSignature` (one approval, any payload; the
 * server uses it too), `consumeEvidence`, which bounds the sessions an approval admits, and the
 * vault genesis whose policy governs the keys generated with it.
 */
export { canonicalJson, CanonicalJsonError } from '@coffer/protocol';
export {
  APPROVAL_REFUSAL_REASONS,
  POLICY_ERROR_CODES,
  ApprovalRefused,
  PolicyError,
} from './errors.js';
export type { ApprovalRefusalReason, PolicyErrorCode } from './errors.js';
export {
  APPROVAL_SCHEMES,
  EVIDENCE_VERSION,
  approvalPayload,
  approvalPayloadBytes,
  parseSigningEvidence,
} from './evidence.js';
export type {
  Approval,
  ApprovalPayload,
  ApprovalScheme,
  Ed25519Approval,
  SigningEvidence,
  WebAuthnApproval,
} from './evidence.js';
export {
  acceptApprovalPolicy,
  checkApprovalPolicy,
  policySigningBytes,
  signApprovalPolicy,
} from './policy.js';
export type {
  AdminRoster,
  ApprovalPolicy,
  EnrolledApprover,
  SignedApprovalPolicy,
} from './policy.js';
export { assertEvidence, verifyEvidence } from './verify-evidence.js';
export { verifyApprovalSignature } from './approval-signature.js';
export { assertPublishedVersion } from './published-version.js';
export {
  MAX_CLOCK_SKEW_MS,
  assertEvidenceV2,
  isEvidenceV2,
  verifyEvidenceV2,
} from './verify-evidence-v2.js';
export type { AcceptedEvidenceV2 } from './verify-evidence-v2.js';
export { verifyAnyEvidence } from './verify-any-evidence.js';
export type { AnyEvidenceVerdict, JudgedBy, KeyApprovalPolicies } from './verify-any-evidence.js';
export {
  GENESIS_VERSION,
  genesisBoundSessionId,
  genesisHash,
  parseVaultGenesis,
} from './genesis.js';
export type { VaultGenesis } from './genesis.js';
export { SESSIONS_PER_APPROVAL, consumeEvidence, evidenceLedgerId } from './replay.js';
export type { EvidenceRefusal, EvidenceVerdict } from './verdict.js';
export { base64urlDecode, base64urlEncode, verifyWebAuthnApproval } from './webauthn.js';
