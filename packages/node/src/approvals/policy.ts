/**
 * The node's approval policy until the policy engine exists (ARCHITECTURE.md "The trust
 * chain for approvals", steps 1–2): a document listing the enrolled approver keys and the
 * quorum (N distinct approvers) for one vault and policy version, signed by a quorum of the
 * vault's admins. The admin roster (admin Ed25519 keys and admin quorum) comes from the
 * vault's genesis, fixed in the node's configuration; `acceptApprovalPolicy` verifies the
 * admin signatures over the canonical JSON of `{ type: 'coffer.approval-policy.v1', policy }`
 * and returns the policy the gate uses. Governed changes (a chain of such documents) are a
 * later step; today a node accepts any version the current roster signed.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson } from '@coffer/protocol';
import { PolicyError } from './errors.js';
import { APPROVAL_SCHEMES, type ApprovalScheme } from './evidence.js';

export interface EnrolledApprover {
  /** Stable id the approvals name (`approverKeyId`). */
  readonly keyId: string;
  readonly scheme: ApprovalScheme;
  /** Ed25519: 32-byte key; webauthn-es256: SEC1 P-256 point (33 or 65 bytes). Hex. */
  readonly publicKey: string;
  /** webauthn-es256: the relying-party id whose SHA-256 the authenticator data must carry. */
  readonly rpId?: string | undefined;
  /** webauthn-es256, optional: accepted clientDataJSON origins (any when absent). */
  readonly origins?: readonly string[] | undefined;
  /**
   * The person (or machine owner) the key belongs to. Approvals are counted per principal:
   * one person with two keys (two passkeys, or a passkey and an API key) counts once.
   * Absent = the key is its own principal.
   */
  readonly principal?: string | undefined;
}

export interface ApprovalPolicy {
  readonly version: 1;
  readonly vaultId: string;
  readonly policyVersion: number;
  /** Distinct valid approvals needed to sign. */
  readonly quorum: number;
  readonly approvers: readonly EnrolledApprover[];
}

export interface AdminRoster {
  readonly admins: readonly { readonly keyId: string; readonly publicKey: string }[];
  readonly quorum: number;
}

export interface SignedApprovalPolicy {
  readonly policy: ApprovalPolicy;
  readonly signatures: readonly { readonly adminKeyId: string; readonly signature: string }[];
}

const ID = /^[A-Za-z0-9._:-]{1,128}$/;

function bad(message: string): never {
  throw new PolicyError('POLICY_MALFORMED', message);
}

function fields(
  value: unknown,
  allowed: readonly string[],
  required: readonly string[],
  what: string,
) {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    bad(`${what} must be an object`);
  const keys = Object.keys(value);
  if (keys.some((k) => !allowed.includes(k))) bad(`unknown field in ${what}`);
  if (required.some((k) => !keys.includes(k))) bad(`missing field in ${what}`);
  return value as Record<string, unknown>;
}

function positive(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1)
    bad(`${what} must be a positive integer`);
  return value as number;
}

function checkApprover(value: unknown): EnrolledApprover {
  const a = fields(
    value,
    ['keyId', 'scheme', 'publicKey', 'rpId', 'origins', 'principal'],
    ['keyId', 'scheme', 'publicKey'],
    'approver',
  );
  if (typeof a.keyId !== 'string' || !ID.test(a.keyId)) bad('approver keyId is malformed');
  if (a.principal !== undefined && (typeof a.principal !== 'string' || !ID.test(a.principal)))
    bad('approver principal is malformed');
  if (!APPROVAL_SCHEMES.includes(a.scheme as ApprovalScheme)) bad('unknown approver scheme');
  if (typeof a.publicKey !== 'string' || !/^(?:[0-9a-f]{2})+$/.test(a.publicKey))
    bad('approver publicKey must be hex');
  const key = hexToBytes(a.publicKey);
  if (a.scheme === 'ed25519') {
    if (key.length !== 32 || a.rpId !== undefined || a.origins !== undefined)
      bad('bad ed25519 approver');
  } else {
    try {
      p256.Point.fromBytes(key);
    } catch {
      bad('webauthn-es256 publicKey is not a P-256 point');
    }
    if (typeof a.rpId !== 'string' || a.rpId.length === 0 || a.rpId.length > 253)
      bad('webauthn approvers need an rpId');
    const origins = a.origins;
    if (
      origins !== undefined &&
      (!Array.isArray(origins) || !origins.every((o) => typeof o === 'string'))
    ) {
      bad('origins must be a list of strings');
    }
  }
  return a as unknown as EnrolledApprover;
}

/** Validates a policy document (shape only; `acceptApprovalPolicy` checks who signed it). */
export function checkApprovalPolicy(value: unknown): ApprovalPolicy {
  const p = fields(
    value,
    ['version', 'vaultId', 'policyVersion', 'quorum', 'approvers'],
    ['version', 'vaultId', 'policyVersion', 'quorum', 'approvers'],
    'policy',
  );
  if (p.version !== 1) bad('unsupported policy version');
  if (typeof p.vaultId !== 'string' || !ID.test(p.vaultId)) bad('vaultId is malformed');
  positive(p.policyVersion, 'policyVersion');
  const quorum = positive(p.quorum, 'quorum');
  if (!Array.isArray(p.approvers)) bad('approvers must be a list');
  const approvers = p.approvers.map(checkApprover);
  if (new Set(approvers.map((a) => a.keyId)).size !== approvers.length)
    bad('duplicate approver keyId');
  if (quorum > approvers.length) bad('quorum exceeds the number of approvers');
  return p as unknown as ApprovalPolicy;
}

/** The bytes admins sign for a policy. */
export function policySigningBytes(policy: ApprovalPolicy): Uint8Array {
  return utf8ToBytes(canonicalJson({ type: 'coffer.approval-policy.v1', policy }));
}

/** An admin's signature over `policy` (for tooling and tests). */
export function signApprovalPolicy(
  policy: ApprovalPolicy,
  adminKeyId: string,
  adminSecretKey: Uint8Array,
) {
  return {
    adminKeyId,
    signature: Buffer.from(ed25519.sign(policySigningBytes(policy), adminSecretKey)).toString(
      'hex',
    ),
  };
}

/**
 * Accepts a signed policy when a quorum of distinct roster admins signed it validly.
 * Throws PolicyError (POLICY_MALFORMED / POLICY_NOT_AUTHORISED).
 */
export function acceptApprovalPolicy(
  signed: SignedApprovalPolicy,
  roster: AdminRoster,
): ApprovalPolicy {
  const s = fields(signed, ['policy', 'signatures'], ['policy', 'signatures'], 'signed policy');
  const policy = checkApprovalPolicy(s.policy);
  const r = fields(roster, ['admins', 'quorum'], ['admins', 'quorum'], 'admin roster');
  const quorum = positive(r.quorum, 'admin quorum');
  if (!Array.isArray(r.admins) || r.admins.length < quorum)
    bad('admin roster is smaller than its quorum');
  const admins = new Map<string, Uint8Array>();
  for (const admin of r.admins as unknown[]) {
    const a = fields(admin, ['keyId', 'publicKey'], ['keyId', 'publicKey'], 'admin');
    if (
      typeof a.keyId !== 'string' ||
      typeof a.publicKey !== 'string' ||
      !/^[0-9a-f]{64}$/.test(a.publicKey)
    ) {
      bad('admin entries are { keyId, publicKey: 32-byte hex }');
    }
    admins.set(a.keyId, hexToBytes(a.publicKey));
  }
  if (!Array.isArray(s.signatures)) bad('signatures must be a list');
  const bytes = policySigningBytes(policy);
  const valid = new Set<string>();
  for (const entry of s.signatures as unknown[]) {
    const e = fields(entry, ['adminKeyId', 'signature'], ['adminKeyId', 'signature'], 'signature');
    const key = typeof e.adminKeyId === 'string' ? admins.get(e.adminKeyId) : undefined;
    if (!key || typeof e.signature !== 'string' || !/^[0-9a-f]{128}$/.test(e.signature)) continue;
    if (ed25519.verify(hexToBytes(e.signature), bytes, key)) valid.add(e.adminKeyId as string);
  }
  if (valid.size < quorum) {
    throw new PolicyError(
      'POLICY_NOT_AUTHORISED',
      `${valid.size} valid admin signature(s), ${quorum} needed`,
    );
  }
  return policy;
}
