/**
 * Evidence v2, counting the approvals (verify-evidence-v2.ts; APPROVALS.md "Evidence v2",
 * step 6), with real Ed25519 API keys and WebAuthn ES256 passkeys (evidence-v2.testkit.ts).
 * Met: two people (one with a passkey); sequential stages in order; an external approver's
 * signed answer. Not met (QUORUM_NOT_MET, saying what is missing): one person; one person's two
 * keys; the initiator's own approval; the approval of the person behind an API-key initiator;
 * a later stage approved before the earlier one; no external answer. Refused: approvals of
 * another intent (INVALID_SIGNATURE), keys outside the directory, a key twice, a scheme other
 * than the enrolled one, an assertion without user verification, forged, unknown or repeated
 * external answers.
 */
import { describe, expect, it } from 'vitest';
import {
  DIGEST,
  NOW,
  T1,
  T2,
  adminA,
  adminB,
  adminC,
  amlAnswer,
  evidenceV2,
  genesis,
  intent,
  passkey,
  published,
  requestPayload,
  stranger,
  teller,
  teller2,
  tellerPasskey,
} from './evidence-v2.testkit.js';
import { verifyEvidenceV2 } from './verify-evidence-v2.js';

const verdict = (value: unknown) => verifyEvidenceV2(genesis, value, DIGEST, NOW);

function refusal(value: unknown) {
  const outcome = verdict(value);
  if (outcome.ok) throw new Error('evidence was accepted');
  return outcome;
}

/** Between the allow rule (≤ 100) and the teller-then-manager rule: two tellers. */
const MEDIUM = intent('500');
/** Above 1000: a teller, then a manager. */
const LARGE = intent('5000');

describe('evidence v2: approvals that meet the policy', () => {
  it('two people (an API key and a passkey) meet a quorum of two', () => {
    const accepted = verdict(
      evidenceV2(MEDIUM, [
        [teller, T1],
        [teller2, T2],
      ]),
    );
    expect(accepted).toMatchObject({ ok: true, approvers: ['key-t', 'pk-u'] });
  });

  it('sequential stages: a teller, then a manager (passkey)', () => {
    const accepted = verdict(
      evidenceV2(LARGE, [
        [teller, T1],
        [adminC, T2],
      ]),
    );
    expect(accepted).toMatchObject({ ok: true, approvers: ['key-t', 'pk-c'] });
  });

  it('an external approver’s signed answer', () => {
    const call = intent('0', { kind: 'contract_call' });
    expect(verdict(evidenceV2(call, [], { external: [amlAnswer(call)] })).ok).toBe(true);
  });
});

describe('evidence v2: approvals that do not meet the policy', () => {
  it('one person is not two', () => {
    const one = refusal(evidenceV2(MEDIUM, [[teller, T1]]));
    expect(one.reason).toBe('QUORUM_NOT_MET');
    expect(one.message).toMatch(/policy version 2: .*Two tellers/);
    const twoKeysOnePerson = refusal(
      evidenceV2(MEDIUM, [
        [teller, T1],
        [tellerPasskey, T2],
      ]),
    );
    expect(twoKeysOnePerson.reason).toBe('QUORUM_NOT_MET');
  });

  it('the initiator’s own approval does not count', () => {
    const own = refusal(
      evidenceV2(
        MEDIUM,
        [
          [teller, T1],
          [teller2, T2],
        ],
        { initiator: { kind: 'user', id: 'usr-u', role: 'approver', principal: 'usr-u' } },
      ),
    );
    expect(own.reason).toBe('QUORUM_NOT_MET');
  });

  it('nor does the approval of the person behind an API-key initiator', () => {
    const initiator = { kind: 'api-key' as const, id: 'apk-1', role: 'initiator' as const };
    const approvals = [
      [teller, T1],
      [teller2, T2],
    ] as const;
    const byCreator = evidenceV2(MEDIUM, approvals, {
      initiator: { ...initiator, principal: 'usr-t' },
    });
    expect(refusal(byCreator).reason).toBe('QUORUM_NOT_MET');
    const bySomeoneElse = evidenceV2(MEDIUM, approvals, {
      initiator: { ...initiator, principal: 'usr-i' },
    });
    expect(verdict(bySomeoneElse).ok).toBe(true);
  });

  it('a later stage approved before the earlier one was satisfied does not count', () => {
    const early = refusal(
      evidenceV2(LARGE, [
        [adminB, T1],
        [teller, T2],
      ]),
    );
    expect(early.reason).toBe('QUORUM_NOT_MET');
    expect(early.message).toMatch(/Managers/);
  });

  it('an external stage needs the endpoint’s answer', () => {
    const call = intent('0', { kind: 'contract_call' });
    expect(refusal(evidenceV2(call)).reason).toBe('QUORUM_NOT_MET');
  });
});

describe('evidence v2: approvals refused', () => {
  it('approvals of another intent no longer verify (the amount changed)', () => {
    const relabelled = evidenceV2(
      intent('6000'),
      [
        [teller, T1],
        [adminB, T2],
      ],
      { signedIntent: LARGE },
    );
    expect(refusal(relabelled)).toMatchObject({
      reason: 'INVALID_SIGNATURE',
      approverKeyId: 'key-t',
    });
    // A passkey approval of the other intent fails its challenge instead.
    const byPasskey = evidenceV2(intent('6000'), [[adminC, T1]], { signedIntent: LARGE });
    expect(refusal(byPasskey).reason).toBe('WEBAUTHN_CLIENT_DATA_INVALID');
  });

  it('a key outside the version’s directory, even a genesis admin’s', () => {
    expect(refusal(evidenceV2(LARGE, [[stranger, T1]]))).toMatchObject({
      reason: 'UNKNOWN_APPROVER',
      approverKeyId: 'key-x',
    });
    const directory = published().directory;
    const withoutA = published({
      directory: {
        ...directory,
        approvers: directory.approvers.filter((a) => a.keyId !== 'key-a'),
      },
    });
    const byA = evidenceV2(
      LARGE,
      [
        [teller, T1],
        [adminA, T2],
      ],
      { doc: withoutA },
    );
    expect(refusal(byA)).toMatchObject({ reason: 'UNKNOWN_APPROVER', approverKeyId: 'key-a' });
  });

  it('a key twice', () => {
    const twice = evidenceV2(LARGE, [
      [teller, T1],
      [teller, T2],
    ]);
    expect(refusal(twice)).toMatchObject({ reason: 'DUPLICATE_APPROVER', approverKeyId: 'key-t' });
  });

  it('another scheme than the enrolled one, and a passkey without user verification', () => {
    const e = evidenceV2(LARGE, [[teller, T1]]);
    const asPasskey = {
      ...e,
      approvals: [
        { approval: { ...adminC.approve(requestPayload(LARGE)), approverKeyId: 'key-t' }, at: T1 },
      ],
    };
    expect(refusal(asPasskey).reason).toBe('SCHEME_MISMATCH');
    // The same credential asserting without UV (flags UP only).
    const unverified = passkey('pk-c', 'usr-c', 0x01);
    const doc = published({
      directory: {
        ...published().directory,
        approvers: [teller.enrolment, unverified.enrolment],
      },
    });
    const noUv = evidenceV2(
      LARGE,
      [
        [teller, T1],
        [unverified, T2],
      ],
      { doc },
    );
    expect(refusal(noUv).reason).toBe('USER_NOT_VERIFIED');
  });

  it('external answers: forged, for another call, from an unknown endpoint, or twice', () => {
    const call = intent('0', { kind: 'contract_call' });
    const answer = amlAnswer(call);
    const forged = { ...answer, signature: 'ff'.repeat(64) };
    expect(refusal(evidenceV2(call, [], { external: [forged] }))).toMatchObject({
      reason: 'INVALID_SIGNATURE',
      approverKeyId: 'aml',
    });
    const otherCall = { ...answer, callId: 'call-2' };
    expect(refusal(evidenceV2(call, [], { external: [otherCall] })).reason).toBe(
      'INVALID_SIGNATURE',
    );
    // Signed for another intent of the same request.
    const otherIntent = amlAnswer(intent('1', { kind: 'contract_call' }));
    expect(refusal(evidenceV2(call, [], { external: [otherIntent] })).reason).toBe(
      'INVALID_SIGNATURE',
    );
    const unknown = { ...answer, endpointId: 'kyc' };
    expect(refusal(evidenceV2(call, [], { external: [unknown] }))).toMatchObject({
      reason: 'UNKNOWN_APPROVER',
      approverKeyId: 'kyc',
    });
    const twice = evidenceV2(call, [], { external: [answer, amlAnswer(call, 'call-2')] });
    expect(refusal(twice).reason).toBe('DUPLICATE_APPROVER');
  });
});
