/**
 * Evidence v2, the request and its published version (verify-evidence-v2.ts,
 * published-version.ts; APPROVALS.md "Evidence v2", steps 1–5), with real Ed25519 and WebAuthn
 * ES256 keys (evidence-v2.testkit.ts). Accepted: an allowed request with no approval, the
 * version approved by a passkey admin and an API-key admin. Refused, each with its reason:
 * malformed evidence (naming the field); a key without genesis; another vault, an intent for
 * another vault or with other digests; the digest to sign not approved; the version for
 * another organisation, naming another version, approved by too few people (one person's two
 * keys), by a non-genesis key, by a key twice, or changed after it was signed; expired and
 * future-dated requests; a request the policy blocks.
 */
import { describe, expect, it } from 'vitest';
import {
  CREATED,
  DIGEST,
  EXPIRES,
  NOW,
  SANCTIONED,
  adminA,
  adminA2,
  adminB,
  adminC,
  evidenceV2,
  genesis,
  intent,
  policy,
  published,
  stranger,
  teller,
  versionApprovals,
} from './evidence-v2.testkit.js';
import type { VaultGenesis } from './genesis.js';
import { isEvidenceV2, MAX_CLOCK_SKEW_MS, verifyEvidenceV2 } from './verify-evidence-v2.js';

/** `g` null: a key generated without a genesis. */
function verdict(value: unknown, digest = DIGEST, now = NOW, g: VaultGenesis | null = genesis) {
  return verifyEvidenceV2(g ?? undefined, value, digest, now);
}

/** The refusal, or a failure when the evidence was accepted. */
function refusal(value: unknown, digest = DIGEST, now = NOW, g: VaultGenesis | null = genesis) {
  const outcome = verdict(value, digest, now, g);
  if (outcome.ok) throw new Error('evidence was accepted');
  return outcome;
}

describe('evidence v2: accepted', () => {
  it('recognises the format by its version', () => {
    expect(isEvidenceV2(evidenceV2(intent('1')))).toBe(true);
    expect(isEvidenceV2({ version: 1 })).toBe(false);
    expect(isEvidenceV2(null)).toBe(false);
  });

  it('a request the policy allows needs no approval', () => {
    const e = evidenceV2(intent('100'));
    expect(verdict(e)).toEqual({ ok: true, evidence: e, approvers: [] });
  });

  it('a version approved by a passkey admin and an API-key admin', () => {
    const e = evidenceV2(intent('100'), [], { signers: [adminC, adminB] });
    expect(verdict(e).ok).toBe(true);
  });
});

describe('evidence v2: the shape and the key', () => {
  it('is refused when malformed, naming the field', () => {
    const e = evidenceV2(intent('1'));
    expect(refusal({ ...e, extra: true })).toMatchObject({ reason: 'EVIDENCE_MALFORMED' });
    const badAmount = refusal({
      ...e,
      request: { ...e.request, intent: { ...e.request.intent, amount: '-1' } },
    });
    expect(badAmount.reason).toBe('EVIDENCE_MALFORMED');
    expect(badAmount.message).toMatch(/request\.intent\.amount/);
    const noVersionApprovals = refusal({ ...e, policy: { ...e.policy, approvals: [] } });
    expect(noVersionApprovals.message).toMatch(/policy\.approvals/);
    const version1 = refusal({ ...e, policyVersion: 1 });
    expect(version1.message).toMatch(/policyVersion/);
  });

  it('is refused for a key generated without a genesis', () => {
    const noGenesis = refusal(evidenceV2(intent('1')), DIGEST, NOW, null);
    expect(noGenesis.reason).toBe('POLICY_NOT_AUTHORISED');
    expect(noGenesis.message).toMatch(/no genesis/);
  });
});

describe('evidence v2: the request', () => {
  it('is for this vault, with the intent’s own digests including the one to sign', () => {
    const e = evidenceV2(intent('1'));
    expect(refusal({ ...e, vaultId: 'vlt-2' }).reason).toBe('VAULT_MISMATCH');
    const elsewhere = intent('1', { source: { vaultId: 'vlt-2' } });
    expect(refusal(evidenceV2(elsewhere)).reason).toBe('INTENT_MISMATCH');
    expect(refusal({ ...e, digests: ['cd'.repeat(32)] }).reason).toBe('INTENT_MISMATCH');
    expect(refusal({ ...e, digests: [DIGEST, 'cd'.repeat(32)] }).reason).toBe('INTENT_MISMATCH');
    expect(refusal(e, 'cd'.repeat(32)).reason).toBe('DIGEST_NOT_APPROVED');
    // Hex case does not matter for the digest to sign.
    expect(verdict(e, DIGEST.toUpperCase()).ok).toBe(true);
  });

  it('expires by the node’s clock, and may not come from the node’s future', () => {
    const e = evidenceV2(intent('1'));
    const justBefore = new Date(Date.parse(EXPIRES) - 1);
    expect(verdict(e, DIGEST, justBefore).ok).toBe(true);
    expect(refusal(e, DIGEST, new Date(EXPIRES)).reason).toBe('REQUEST_EXPIRED');
    const skewed = new Date(Date.parse(CREATED) - MAX_CLOCK_SKEW_MS);
    expect(verdict(e, DIGEST, skewed).ok).toBe(true);
    const future = refusal(e, DIGEST, new Date(skewed.getTime() - 1));
    expect(future.reason).toBe('REQUEST_NOT_YET_VALID');
    expect(future.message).toMatch(/5 minutes ahead/);
  });

  it('is refused when the policy blocks it, with the decision’s reason', () => {
    const blocked = refusal(evidenceV2(intent('1', { destination: { address: SANCTIONED } })));
    expect(blocked.reason).toBe('POLICY_BLOCKED');
    expect(blocked.message).toMatch(/rule sanctions \(Sanctions\): action: block/);
    // No rule matched: the engine blocks (POLICY.md "Evaluation").
    const onlySmall = published({ policy: { ...policy, rules: policy.rules.slice(2, 3) } });
    const unmatched = refusal(evidenceV2(intent('5000'), [], { doc: onlySmall }));
    expect(unmatched.reason).toBe('POLICY_BLOCKED');
    expect(unmatched.message).toMatch(/no rule matched/);
  });
});

describe('evidence v2: the published version', () => {
  it('is for the key’s organisation and names the evidence’s version', () => {
    const other = evidenceV2(intent('1'), [], { doc: published({ orgId: 'org-2' }) });
    expect(refusal(other).reason).toBe('POLICY_ORG_MISMATCH');
    const v3 = published({ policyVersion: 3, policy: { ...policy, policyVersion: 3 } });
    const mismatched = { ...evidenceV2(intent('1'), [], { doc: v3 }), policyVersion: 2 };
    expect(refusal(mismatched)).toMatchObject({ reason: 'POLICY_VERSION_MISMATCH' });
    expect(verdict(evidenceV2(intent('1'), [], { doc: v3 })).ok).toBe(true);
  });

  it('needs a quorum of genesis approvers, counted per person', () => {
    const onePerson = refusal(evidenceV2(intent('1'), [], { signers: [adminA, adminA2] }));
    expect(onePerson.reason).toBe('POLICY_NOT_AUTHORISED');
    expect(onePerson.message).toMatch(/too few approvals, 1 of 2 genesis approvers/);
    const alone = refusal(evidenceV2(intent('1'), [], { signers: [adminB] }));
    expect(alone.message).toMatch(/1 of 2/);
  });

  it('is refused when approved by a key that is not a genesis approver', () => {
    // The teller is in the version's own directory, which cannot vouch for itself.
    const byTeller = refusal(evidenceV2(intent('1'), [], { signers: [adminA, teller] }));
    expect(byTeller).toMatchObject({ reason: 'POLICY_NOT_AUTHORISED', approverKeyId: 'key-t' });
    expect(byTeller.message).toMatch(/not a genesis approver/);
    const byStranger = refusal(
      evidenceV2(intent('1'), [], { signers: [adminA, adminB, stranger] }),
    );
    expect(byStranger.reason).toBe('POLICY_NOT_AUTHORISED');
  });

  it('is refused when a key approves twice', () => {
    const twice = refusal(evidenceV2(intent('1'), [], { signers: [adminA, adminA] }));
    expect(twice).toMatchObject({ reason: 'DUPLICATE_APPROVER', approverKeyId: 'key-a' });
  });

  it('is refused once changed after it was signed', () => {
    const signed = evidenceV2(intent('5000'));
    const loosened = {
      ...signed,
      policy: {
        ...signed.policy,
        document: {
          ...signed.policy.document,
          policy: { ...policy, rules: [{ ...policy.rules[2]!, conditions: {} }] },
        },
      },
    };
    const refused = refusal(loosened);
    expect(refused).toMatchObject({ reason: 'POLICY_NOT_AUTHORISED', approverKeyId: 'key-a' });
    expect(refused.message).toMatch(/does not verify \(INVALID_SIGNATURE\)/);
    // Approvals of another organisation's version with the same document do not transfer.
    const doc = published();
    const forOrg2 = versionApprovals({ ...doc, orgId: 'org-2' }, [adminA, adminB]);
    const replayed = { ...signed, policy: { document: doc, approvals: forOrg2 } };
    expect(refusal(replayed).reason).toBe('POLICY_NOT_AUTHORISED');
  });
});
