/**
 * The signing-evidence format v1 (APPROVALS.md; ARCHITECTURE.md "The trust chain for
 * approvals", step 3): what reaches a node with a signing request — the request id, vault,
 * the digests to be signed, the policy version the request was judged under, and the
 * approvals. Each approval signs the canonical approval payload
 * `{ requestId, vaultId, digests, decision: 'approve', policyVersion }` (canonical-json.ts).
 * `parseSigningEvidence` validates untrusted input strictly (unknown fields refused).
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { approvalPayloadJson } from '@coffer/protocol';
import { ApprovalRefused } from './errors.js';

export const EVIDENCE_VERSION = 1;
export const APPROVAL_SCHEMES = ['ed25519', 'webauthn-es256'] as const;
export type ApprovalScheme = (typeof APPROVAL_SCHEMES)[number];

/** An API-key approval: Ed25519 (RFC 8032) over the canonical payload bytes. */
export interface Ed25519Approval {
  readonly approverKeyId: string;
  readonly scheme: 'ed25519';
  /** 64-byte signature, lowercase hex. */
  readonly signature: string;
}

/**
 * A passkey approval: a WebAuthn assertion (navigator.credentials.get) whose challenge is
 * SHA-256(canonical payload), made with user verification. Byte fields are base64url.
 */
export interface WebAuthnApproval {
  readonly approverKeyId: string;
  readonly scheme: 'webauthn-es256';
  /** ASN.1 DER ECDSA P-256 signature over authenticatorData ‖ SHA-256(clientDataJSON). */
  readonly signature: string;
  readonly authenticatorData: string;
  readonly clientDataJSON: string;
}

export type Approval = Ed25519Approval | WebAuthnApproval;

export interface SigningEvidence {
  readonly version: 1;
  readonly requestId: string;
  readonly vaultId: string;
  /** The digests (or messages) the approvals cover, lowercase hex. */
  readonly digests: readonly string[];
  readonly policyVersion: number;
  readonly approvals: readonly Approval[];
}

/** The payload every approval signs. */
export interface ApprovalPayload {
  readonly requestId: string;
  readonly vaultId: string;
  readonly digests: readonly string[];
  readonly decision: 'approve';
  readonly policyVersion: number;
}

const ID = /^[A-Za-z0-9._:-]{1,128}$/;
const HEX = /^(?:[0-9a-f]{2}){1,65536}$/;
const B64URL = /^[A-Za-z0-9_-]{1,8192}$/;
const MAX_DIGESTS = 64;
const MAX_APPROVALS = 64;

export function approvalPayload(evidence: Omit<ApprovalPayload, 'decision'>): ApprovalPayload {
  return {
    requestId: evidence.requestId,
    vaultId: evidence.vaultId,
    digests: [...evidence.digests],
    decision: 'approve',
    policyVersion: evidence.policyVersion,
  };
}

/** The exact bytes an approver signs (Ed25519) or hashes into the WebAuthn challenge. */
export function approvalPayloadBytes(evidence: Omit<ApprovalPayload, 'decision'>): Uint8Array {
  return utf8ToBytes(approvalPayloadJson(evidence));
}

function malformed(message: string): never {
  throw new ApprovalRefused('EVIDENCE_MALFORMED', message);
}

function object(value: unknown, fields: readonly string[], what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    malformed(`${what} must be an object`);
  }
  const keys = Object.keys(value);
  const extra = keys.filter((k) => !fields.includes(k));
  if (extra.length > 0) malformed(`unknown field(s) in ${what}: ${extra.join(', ')}`);
  const missing = fields.filter((k) => !keys.includes(k));
  if (missing.length > 0) malformed(`missing field(s) in ${what}: ${missing.join(', ')}`);
  return value as Record<string, unknown>;
}

function text(value: unknown, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) malformed(`${what} is malformed`);
  return value;
}

function parseApproval(value: unknown, index: number): Approval {
  const scheme = (value as { scheme?: unknown } | null)?.scheme;
  const what = `approvals[${index}]`;
  if (scheme === 'ed25519') {
    const a = object(value, ['approverKeyId', 'scheme', 'signature'], what);
    return {
      approverKeyId: text(a.approverKeyId, ID, `${what}.approverKeyId`),
      scheme,
      signature: text(a.signature, /^[0-9a-f]{128}$/, `${what}.signature`),
    };
  }
  if (scheme === 'webauthn-es256') {
    const fields = ['approverKeyId', 'scheme', 'signature', 'authenticatorData', 'clientDataJSON'];
    const a = object(value, fields, what);
    return {
      approverKeyId: text(a.approverKeyId, ID, `${what}.approverKeyId`),
      scheme,
      signature: text(a.signature, B64URL, `${what}.signature`),
      authenticatorData: text(a.authenticatorData, B64URL, `${what}.authenticatorData`),
      clientDataJSON: text(a.clientDataJSON, B64URL, `${what}.clientDataJSON`),
    };
  }
  return malformed(`${what}.scheme must be one of ${APPROVAL_SCHEMES.join(', ')}`);
}

/** Validates untrusted evidence; throws ApprovalRefused (EVIDENCE_MISSING / _MALFORMED). */
export function parseSigningEvidence(value: unknown): SigningEvidence {
  if (value === undefined || value === null) {
    throw new ApprovalRefused('EVIDENCE_MISSING', 'a signing request needs approval evidence');
  }
  const e = object(
    value,
    ['version', 'requestId', 'vaultId', 'digests', 'policyVersion', 'approvals'],
    'evidence',
  );
  if (e.version !== EVIDENCE_VERSION) malformed('unsupported evidence version');
  if (!Array.isArray(e.digests) || e.digests.length === 0 || e.digests.length > MAX_DIGESTS) {
    malformed(`digests must hold 1..${MAX_DIGESTS} entries`);
  }
  if (!Number.isSafeInteger(e.policyVersion) || (e.policyVersion as number) < 1) {
    malformed('policyVersion must be a positive integer');
  }
  if (!Array.isArray(e.approvals) || e.approvals.length > MAX_APPROVALS) {
    malformed(`approvals must be a list of at most ${MAX_APPROVALS}`);
  }
  return {
    version: 1,
    requestId: text(e.requestId, ID, 'requestId'),
    vaultId: text(e.vaultId, ID, 'vaultId'),
    digests: e.digests.map((d, i) => text(d, HEX, `digests[${i}]`)),
    policyVersion: e.policyVersion as number,
    approvals: e.approvals.map(parseApproval),
  };
}
