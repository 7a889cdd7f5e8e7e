/**
 * One approval's signature, whatever it approves (APPROVALS.md "Approval schemes"): Ed25519
 * (RFC 8032) over the payload bytes for an API key, or a WebAuthn ES256 assertion with user
 * verification whose challenge is SHA-256 of the payload for a passkey (webauthn.ts). The
 * evidence gate, the published-policy check and the server's check on arrival all call this,
 * so they cannot disagree on what a valid approval is.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { ApprovalRefused } from './errors.js';
import type { Approval } from './evidence.js';
import type { EnrolledApprover } from './policy.js';
import { verifyWebAuthnApproval } from './webauthn.js';

/** Throws ApprovalRefused unless `approval` by `approver` signs `payload` in its enrolled scheme. */
export function verifyApprovalSignature(
  approver: EnrolledApprover,
  approval: Approval,
  payload: Uint8Array,
): void {
  const who = approval.approverKeyId;
  if (approver.scheme !== approval.scheme) {
    throw new ApprovalRefused('SCHEME_MISMATCH', `enrolled for ${approver.scheme}`, who);
  }
  if (approval.scheme === 'webauthn-es256') {
    verifyWebAuthnApproval(approver, approval, payload);
    return;
  }
  let ok: boolean;
  try {
    ok = ed25519.verify(hexToBytes(approval.signature), payload, hexToBytes(approver.publicKey));
  } catch {
    ok = false;
  }
  if (!ok) throw new ApprovalRefused('INVALID_SIGNATURE', 'signature does not verify', who);
}
