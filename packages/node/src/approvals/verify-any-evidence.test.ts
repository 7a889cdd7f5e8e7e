/**
 * The gate's dispatch (verify-any-evidence.ts; APPROVALS.md "Evidence v2"): evidence v1 is
 * judged exactly as before — against the key's genesis policy (counted per person), or the
 * node's configured policy for a key without a genesis — and v2 by the published version,
 * which a key without a genesis cannot take. Real Ed25519 and WebAuthn ES256 keys.
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { approveWithApiKeys, makeApiKeyApprover } from '../sessions/cluster.testkit.js';
import { approvalPayloadBytes, type SigningEvidence } from './evidence.js';
import {
  DIGEST,
  NOW,
  adminA,
  adminA2,
  adminB,
  adminC,
  evidenceV2,
  genesis,
  intent,
  type Signer,
} from './evidence-v2.testkit.js';
import type { ApprovalPolicy } from './policy.js';
import { verifyApprovalSignature } from './approval-signature.js';
import { ApprovalRefused } from './errors.js';
import { verifyAnyEvidence } from './verify-any-evidence.js';

const operator = makeApiKeyApprover('operator');
const configured: ApprovalPolicy = {
  version: 1,
  vaultId: 'vault-configured',
  policyVersion: 1,
  quorum: 1,
  approvers: [operator.enrolment],
};

/** Evidence v1 for request `req-v1` of the genesis vault, approved by `signers`. */
function genesisEvidence(signers: readonly Signer[]): SigningEvidence {
  const body = { requestId: 'req-v1', vaultId: 'vlt-1', digests: [DIGEST], policyVersion: 1 };
  const payload = new TextDecoder().decode(approvalPayloadBytes(body));
  return { version: 1, ...body, approvals: signers.map((s) => s.approve(payload)) };
}

describe('verifyAnyEvidence', () => {
  it('judges v1 by the key’s genesis policy, one count per person', () => {
    const byTwo = genesisEvidence([adminA, adminC]);
    expect(verifyAnyEvidence({ genesis, configured }, byTwo, DIGEST, NOW)).toEqual({
      ok: true,
      policy: 'genesis',
      evidence: byTwo,
      approvers: ['key-a', 'pk-c'],
    });
    const onePerson = genesisEvidence([adminA, adminA2]);
    expect(verifyAnyEvidence({ genesis, configured }, onePerson, DIGEST, NOW)).toMatchObject({
      ok: false,
      reason: 'QUORUM_NOT_MET',
    });
  });

  it('judges v1 by the configured policy for a key without a genesis', () => {
    const v1 = approveWithApiKeys(configured, [DIGEST], [operator]);
    const keyWithout = { genesis: undefined, configured };
    expect(verifyAnyEvidence(keyWithout, v1, DIGEST, NOW)).toMatchObject({
      ok: true,
      policy: 'configured',
      approvers: ['operator'],
    });
    // The genesis of a key overrides the configured policy: its approvers are not enrolled there.
    expect(verifyAnyEvidence({ genesis, configured }, v1, DIGEST, NOW)).toMatchObject({
      ok: false,
      reason: 'VAULT_MISMATCH',
    });
    expect(
      verifyAnyEvidence({ genesis: undefined, configured: undefined }, v1, DIGEST, NOW),
    ).toMatchObject({ ok: false, reason: 'QUORUM_NOT_MET' });
    expect(verifyAnyEvidence(keyWithout, undefined, DIGEST, NOW)).toMatchObject({
      ok: false,
      reason: 'EVIDENCE_MISSING',
    });
  });

  it('judges v2 by the published version, never on a key without a genesis', () => {
    const v2 = evidenceV2(intent('1'));
    expect(verifyAnyEvidence({ genesis, configured }, v2, DIGEST, NOW)).toEqual({
      ok: true,
      policy: 'published',
      evidence: v2,
      approvers: [],
    });
    expect(verifyAnyEvidence({ genesis: undefined, configured }, v2, DIGEST, NOW)).toMatchObject({
      ok: false,
      reason: 'POLICY_NOT_AUTHORISED',
    });
    // A version other than 1 or 2 is not v2: the v1 parser refuses it.
    expect(
      verifyAnyEvidence({ genesis, configured }, { ...v2, version: 3 }, DIGEST, NOW),
    ).toMatchObject({ ok: false, reason: 'EVIDENCE_MALFORMED' });
  });
});

describe('verifyApprovalSignature', () => {
  const payload = utf8ToBytes('{"type":"anything"}');

  it('accepts an API key’s and a passkey’s approval of any payload', () => {
    expect(() =>
      verifyApprovalSignature(adminB.enrolment, adminB.approve('{"type":"anything"}'), payload),
    ).not.toThrow();
    expect(() =>
      verifyApprovalSignature(adminC.enrolment, adminC.approve('{"type":"anything"}'), payload),
    ).not.toThrow();
  });

  it('throws ApprovalRefused for another payload, key or scheme', () => {
    const reasonOf = (run: () => void) => {
      try {
        run();
      } catch (error) {
        if (error instanceof ApprovalRefused) return error.reason;
        throw error;
      }
      return 'accepted';
    };
    const other = adminB.approve('{"type":"other"}');
    expect(reasonOf(() => verifyApprovalSignature(adminB.enrolment, other, payload))).toBe(
      'INVALID_SIGNATURE',
    );
    const byA = adminA.approve('{"type":"anything"}');
    expect(reasonOf(() => verifyApprovalSignature(adminB.enrolment, byA, payload))).toBe(
      'INVALID_SIGNATURE',
    );
    const passkeyAsApiKey = adminC.approve('{"type":"anything"}');
    expect(
      reasonOf(() => verifyApprovalSignature(adminB.enrolment, passkeyAsApiKey, payload)),
    ).toBe('SCHEME_MISMATCH');
    const otherChallenge = adminC.approve('{"type":"other"}');
    expect(reasonOf(() => verifyApprovalSignature(adminC.enrolment, otherChallenge, payload))).toBe(
      'WEBAUTHN_CLIENT_DATA_INVALID',
    );
  });
});
