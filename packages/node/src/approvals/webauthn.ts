/**
 * Verification of a WebAuthn ES256 assertion as an approval (W3C WebAuthn Level 2 §7.2,
 * "Verifying an Authentication Assertion", steps 11–21 as they apply here): clientDataJSON
 * must be a `webauthn.get` whose challenge is base64url(SHA-256(canonical approval payload))
 * and, when the approver enrolled origins, one of them; authenticatorData must carry
 * SHA-256(rpId) and both the UP and UV flags (§6.1: bit 0 user present, bit 2 user
 * verified); the signature is ECDSA P-256 with SHA-256, ASN.1 DER, over
 * authenticatorData ‖ SHA-256(clientDataJSON). High-S signatures are accepted (authenticators
 * do not normalise). Counter checks are not done (passkeys commonly report 0).
 */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ApprovalRefused } from './errors.js';
import type { WebAuthnApproval } from './evidence.js';
import type { EnrolledApprover } from './policy.js';

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;

export function base64urlDecode(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

export function base64urlEncode(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** Throws ApprovalRefused unless `approval` is a valid UV assertion over `payload`. */
export function verifyWebAuthnApproval(
  approver: EnrolledApprover,
  approval: WebAuthnApproval,
  payload: Uint8Array,
): void {
  const who = approval.approverKeyId;
  const clientDataBytes = base64urlDecode(approval.clientDataJSON);
  let clientData: Record<string, unknown>;
  try {
    clientData = JSON.parse(Buffer.from(clientDataBytes).toString('utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    throw new ApprovalRefused('WEBAUTHN_CLIENT_DATA_INVALID', 'clientDataJSON is not JSON', who);
  }
  if (typeof clientData !== 'object' || clientData === null || clientData.type !== 'webauthn.get') {
    throw new ApprovalRefused(
      'WEBAUTHN_CLIENT_DATA_INVALID',
      'clientData.type is not webauthn.get',
      who,
    );
  }
  if (clientData.challenge !== base64urlEncode(sha256(payload))) {
    throw new ApprovalRefused(
      'WEBAUTHN_CLIENT_DATA_INVALID',
      'challenge is not the approval payload hash',
      who,
    );
  }
  const origins = approver.origins;
  if (origins !== undefined && !origins.includes(String(clientData.origin))) {
    throw new ApprovalRefused('WEBAUTHN_CLIENT_DATA_INVALID', 'origin is not enrolled', who);
  }
  const authData = base64urlDecode(approval.authenticatorData);
  if (authData.length < 37) {
    throw new ApprovalRefused('WEBAUTHN_RP_MISMATCH', 'authenticatorData is too short', who);
  }
  const rpIdHash = sha256(utf8ToBytes(approver.rpId ?? ''));
  if (!Buffer.from(authData.subarray(0, 32)).equals(Buffer.from(rpIdHash))) {
    throw new ApprovalRefused('WEBAUTHN_RP_MISMATCH', 'rpIdHash is not the enrolled rpId', who);
  }
  const flags = authData[32]!;
  if ((flags & FLAG_UP) === 0 || (flags & FLAG_UV) === 0) {
    throw new ApprovalRefused(
      'USER_NOT_VERIFIED',
      'assertion lacks user presence/verification',
      who,
    );
  }
  const signed = concatBytes(authData, sha256(clientDataBytes));
  let ok: boolean;
  try {
    ok = p256.verify(base64urlDecode(approval.signature), signed, hexToBytes(approver.publicKey), {
      format: 'der',
      lowS: false,
      prehash: true,
    });
  } catch {
    ok = false;
  }
  if (!ok)
    throw new ApprovalRefused('INVALID_SIGNATURE', 'assertion signature does not verify', who);
}
