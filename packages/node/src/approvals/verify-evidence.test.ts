/**
 * The approval gate (APPROVALS.md): evidence with Ed25519 API-key approvals and with a
 * WebAuthn ES256 assertion (built here with a P-256 key, user verification set) is
 * accepted; missing evidence, a forged signature, an unenrolled approver, a duplicate
 * approver, an insufficient quorum, an uncovered digest, a missing UV flag and a wrong
 * challenge are each refused with their reason; the policy itself must carry a quorum of
 * admin signatures.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { approveWithApiKeys, makeApiKeyApprover } from '../sessions/cluster.testkit.js';
import { canonicalJson } from '@coffer/protocol';
import { approvalPayloadBytes, type SigningEvidence, type WebAuthnApproval } from './evidence.js';
import {
  acceptApprovalPolicy,
  signApprovalPolicy,
  type ApprovalPolicy,
  type EnrolledApprover,
} from './policy.js';
import { verifyEvidence } from './verify-evidence.js';
import { base64urlEncode } from './webauthn.js';

const RP_ID = 'coffer.example';
const alice = makeApiKeyApprover('alice');
const bob = makeApiKeyApprover('bob');
const mallory = makeApiKeyApprover('mallory');
const passkeySecret = p256.utils.randomSecretKey();
const passkey: EnrolledApprover = {
  keyId: 'carol-passkey',
  scheme: 'webauthn-es256',
  publicKey: Buffer.from(p256.getPublicKey(passkeySecret, true)).toString('hex'),
  rpId: RP_ID,
  origins: ['https://coffer.example'],
};
const policy: ApprovalPolicy = {
  version: 1,
  vaultId: 'vault-7',
  policyVersion: 2,
  quorum: 2,
  approvers: [alice.enrolment, bob.enrolment, passkey],
};
const DIGEST = 'a1'.repeat(32);

/** A WebAuthn assertion as a browser would return it for `evidence`'s payload. */
function assertion(
  evidence: Omit<SigningEvidence, 'approvals'>,
  options: { flags?: number; type?: string; challenge?: Uint8Array } = {},
): WebAuthnApproval {
  const challenge = options.challenge ?? sha256(approvalPayloadBytes(evidence));
  const clientData = utf8ToBytes(
    JSON.stringify({
      type: options.type ?? 'webauthn.get',
      challenge: base64urlEncode(challenge),
      origin: 'https://coffer.example',
      crossOrigin: false,
    }),
  );
  const authData = concatBytes(
    sha256(utf8ToBytes(RP_ID)),
    Uint8Array.of(options.flags ?? 0x05),
    new Uint8Array(4),
  );
  const signature = p256.sign(concatBytes(authData, sha256(clientData)), passkeySecret, {
    format: 'der',
  });
  return {
    approverKeyId: passkey.keyId,
    scheme: 'webauthn-es256',
    signature: base64urlEncode(signature),
    authenticatorData: base64urlEncode(authData),
    clientDataJSON: base64urlEncode(clientData),
  };
}

function refusal(evidence: unknown, digest = DIGEST) {
  const verdict = verifyEvidence(policy, evidence, digest);
  return verdict.ok ? 'accepted' : verdict.reason;
}

describe('verifyEvidence', () => {
  it('accepts two Ed25519 API-key approvals covering the digest', () => {
    const verdict = verifyEvidence(
      policy,
      approveWithApiKeys(policy, [DIGEST, 'b2'.repeat(32)], [alice, bob]),
      DIGEST,
    );
    expect(verdict).toMatchObject({ ok: true, approvers: ['alice', 'bob'] });
  });

  it('accepts an API-key approval plus a WebAuthn ES256 passkey assertion with UV', () => {
    const base = approveWithApiKeys(policy, [DIGEST], [alice]);
    const evidence = { ...base, approvals: [...base.approvals, assertion(base)] };
    expect(verifyEvidence(policy, evidence, DIGEST)).toMatchObject({
      ok: true,
      approvers: ['alice', 'carol-passkey'],
    });
  });

  it('refuses missing evidence', () => {
    expect(refusal(undefined)).toBe('EVIDENCE_MISSING');
    expect(refusal({ version: 1 })).toBe('EVIDENCE_MALFORMED');
  });

  it('refuses a forged signature', () => {
    const evidence = approveWithApiKeys(policy, [DIGEST], [alice, bob]);
    const forged = {
      ...evidence,
      approvals: [
        evidence.approvals[0]!,
        {
          ...evidence.approvals[1]!,
          signature: Buffer.from(ed25519.sign(utf8ToBytes('other'), bob.secretKey)).toString('hex'),
        },
      ],
    };
    expect(refusal(forged)).toBe('INVALID_SIGNATURE');
  });

  it('refuses an approval by an unenrolled approver', () => {
    expect(refusal(approveWithApiKeys(policy, [DIGEST], [alice, mallory]))).toBe(
      'UNKNOWN_APPROVER',
    );
  });

  it('refuses the same approver twice', () => {
    expect(refusal(approveWithApiKeys(policy, [DIGEST], [alice, alice]))).toBe(
      'DUPLICATE_APPROVER',
    );
  });

  it('refuses fewer approvals than the quorum', () => {
    expect(refusal(approveWithApiKeys(policy, [DIGEST], [bob]))).toBe('QUORUM_NOT_MET');
  });

  it('counts a person once: two keys of one principal do not make a quorum of two', () => {
    const samePerson: ApprovalPolicy = {
      ...policy,
      approvers: [
        { ...alice.enrolment, principal: 'usr-alice' },
        { ...bob.enrolment, principal: 'usr-alice' },
        { ...passkey, principal: 'usr-carol' },
      ],
    };
    const twoKeys = approveWithApiKeys(samePerson, [DIGEST], [alice, bob]);
    const verdict = verifyEvidence(samePerson, twoKeys, DIGEST);
    expect(verdict).toMatchObject({ ok: false, reason: 'QUORUM_NOT_MET' });
    const base = approveWithApiKeys(samePerson, [DIGEST], [alice]);
    const twoPeople = { ...base, approvals: [...base.approvals, assertion(base)] };
    expect(verifyEvidence(samePerson, twoPeople, DIGEST)).toMatchObject({ ok: true });
  });

  it('refuses a digest the approvals do not cover', () => {
    expect(refusal(approveWithApiKeys(policy, [DIGEST], [alice, bob]), 'c3'.repeat(32))).toBe(
      'DIGEST_NOT_APPROVED',
    );
  });

  it('refuses evidence bound to another vault or policy version', () => {
    expect(
      refusal(approveWithApiKeys({ ...policy, vaultId: 'vault-8' }, [DIGEST], [alice, bob])),
    ).toBe('VAULT_MISMATCH');
    expect(
      refusal(approveWithApiKeys({ ...policy, policyVersion: 1 }, [DIGEST], [alice, bob])),
    ).toBe('POLICY_VERSION_MISMATCH');
  });

  it('refuses WebAuthn assertions without UV, of the wrong type, or for another payload', () => {
    const base = approveWithApiKeys(policy, [DIGEST], [alice]);
    const withPasskey = (a: WebAuthnApproval) => ({ ...base, approvals: [...base.approvals, a] });
    expect(refusal(withPasskey(assertion(base, { flags: 0x01 })))).toBe('USER_NOT_VERIFIED');
    expect(refusal(withPasskey(assertion(base, { type: 'webauthn.create' })))).toBe(
      'WEBAUTHN_CLIENT_DATA_INVALID',
    );
    expect(refusal(withPasskey(assertion(base, { challenge: sha256(utf8ToBytes('x')) })))).toBe(
      'WEBAUTHN_CLIENT_DATA_INVALID',
    );
    const good = assertion(base);
    expect(
      refusal(withPasskey({ ...good, signature: assertion(base).signature.slice(0, -4) + 'AAAA' })),
    ).toBe('INVALID_SIGNATURE');
  });
});

describe('approval policy', () => {
  const admins = [ed25519.keygen(), ed25519.keygen(), ed25519.keygen()];
  const roster = {
    admins: admins.map((a, i) => ({
      keyId: `admin-${i}`,
      publicKey: Buffer.from(a.publicKey).toString('hex'),
    })),
    quorum: 2,
  };

  it('is accepted with a quorum of admin signatures and refused without', () => {
    const two = [
      signApprovalPolicy(policy, 'admin-0', admins[0]!.secretKey),
      signApprovalPolicy(policy, 'admin-2', admins[2]!.secretKey),
    ];
    expect(acceptApprovalPolicy({ policy, signatures: two }, roster)).toEqual(policy);
    const repeated = [two[0]!, two[0]!];
    expect(() => acceptApprovalPolicy({ policy, signatures: repeated }, roster)).toThrow(
      /POLICY_NOT_AUTHORISED/,
    );
    const tampered = { ...policy, quorum: 1 };
    expect(() => acceptApprovalPolicy({ policy: tampered, signatures: two }, roster)).toThrow(
      /POLICY_NOT_AUTHORISED/,
    );
  });

  it('canonical JSON sorts keys and has no whitespace', () => {
    expect(canonicalJson({ b: [1, 'x'], a: { d: null, c: true } })).toBe(
      '{"a":{"c":true,"d":null},"b":[1,"x"]}',
    );
    expect(() => canonicalJson({ a: 1.5 })).toThrow();
  });
});
