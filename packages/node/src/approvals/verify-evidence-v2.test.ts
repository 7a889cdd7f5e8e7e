/**
 * Evidence v2 (verify-evidence-v2.ts; APPROVALS.md "Evidence v2"): the node recomputes the
 * decision from a published policy version approved by its key's genesis approvers. Real
 * Ed25519 keys throughout. Accepted: allowed with no approval; two sequential stages; an
 * external approver's signed answer. Refused, each with its reason: too few genesis people
 * behind the version (two keys of one person), a non-genesis key, another organisation, a
 * document changed after signing; an intent for another vault or other digests; the digest to
 * sign not approved; a blocked request; stages not met (one approval, an approval before its
 * stage opened, the initiator's own); a changed intent (approvals no longer verify); expiry and
 * a creation time in the future; forged or unknown external answers; malformed evidence.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import {
  externalDecisionPayloadJson,
  intentHash,
  policyApprovalPayloadJson,
  publishedPolicyHash,
  requestApprovalPayloadJson,
  type Intent,
  type PolicyDocument,
  type PublishedPolicy,
  type SigningEvidenceV2,
} from '@coffer/protocol';
import { describe, expect, it } from 'vitest';
import { ApprovalRefused } from './errors.js';
import type { VaultGenesis } from './genesis.js';
import { assertEvidenceV2, isEvidenceV2 } from './verify-evidence-v2.js';

interface Key {
  readonly keyId: string;
  readonly principal: string;
  readonly secretKey: Uint8Array;
  readonly publicKey: string;
}

function key(keyId: string, principal: string): Key {
  const pair = ed25519.keygen();
  return { keyId, principal, secretKey: pair.secretKey, publicKey: bytesToHex(pair.publicKey) };
}

const enrolment = (k: Key) => ({
  keyId: k.keyId,
  scheme: 'ed25519' as const,
  publicKey: k.publicKey,
  principal: k.principal,
});
const sign = (k: Key, payload: string) => ({
  approverKeyId: k.keyId,
  scheme: 'ed25519' as const,
  signature: bytesToHex(ed25519.sign(utf8ToBytes(payload), k.secretKey)),
});

const adminA = key('key-a', 'usr-a');
const adminA2 = key('key-a2', 'usr-a');
const adminB = key('key-b', 'usr-b');
const teller = key('key-t', 'usr-t');
const stranger = key('key-x', 'usr-x');
const aml = key('aml', 'external');

const genesis: VaultGenesis = {
  v: 1,
  vaultId: 'vlt-1',
  orgId: 'org-1',
  policy: {
    version: 1,
    vaultId: 'vlt-1',
    policyVersion: 1,
    quorum: 2,
    approvers: [adminA, adminA2, adminB].map(enrolment),
  },
};

const SANCTIONED = '0x' + 'dd'.repeat(20);
const policy: PolicyDocument = {
  version: 1,
  policyVersion: 2,
  groups: [
    { id: 'tellers', name: 'Tellers', members: { users: ['usr-t'] }, quorum: 1 },
    { id: 'managers', name: 'Managers', members: { roles: ['admin'] }, quorum: 1 },
  ],
  rules: [
    {
      id: 'sanctions',
      name: 'Sanctions',
      conditions: { destination: { type: 'allow-list', addresses: [SANCTIONED] } },
      action: { type: 'block' },
    },
    {
      id: 'calls',
      name: 'Contract calls: AML',
      conditions: { kinds: ['contract_call'] },
      action: {
        type: 'require-approvals',
        stages: [{ type: 'external', endpointId: 'aml', timeoutSeconds: 60, onTimeout: 'fail' }],
      },
    },
    {
      id: 'small',
      name: 'Small',
      conditions: { amount: { max: '100' } },
      action: { type: 'allow' },
    },
    {
      id: 'large',
      name: 'Teller then manager',
      conditions: {},
      action: {
        type: 'require-approvals',
        stages: [
          { type: 'approvers', requirement: { group: 'tellers' } },
          { type: 'approvers', requirement: { group: 'managers' } },
        ],
      },
    },
  ],
};

const published = (overrides: Partial<PublishedPolicy> = {}): PublishedPolicy => ({
  version: 1,
  orgId: 'org-1',
  policyVersion: 2,
  previousHash: null,
  policy,
  directory: {
    members: [
      { id: 'usr-a', role: 'admin' },
      { id: 'usr-b', role: 'admin' },
      { id: 'usr-t', role: 'approver' },
      { id: 'usr-i', role: 'initiator' },
    ],
    approvers: [adminA, adminB, teller].map(enrolment),
    externalApprovers: [{ endpointId: 'aml', publicKey: aml.publicKey }],
  },
  ...overrides,
});

const versionApprovals = (doc: PublishedPolicy, keys: readonly Key[]) =>
  keys.map((k) =>
    sign(
      k,
      policyApprovalPayloadJson({
        orgId: doc.orgId,
        policyVersion: doc.policyVersion,
        hash: publishedPolicyHash(doc),
        decision: 'approve',
      }),
    ),
  );

const DIGEST = 'ab'.repeat(32);
const CREATED = '2026-11-22T10:00:00.000Z';
const EXPIRES = '2026-11-23T10:00:00.000Z';
const NOW = new Date('2026-11-22T12:00:00.000Z');

const intent = (amount: string, extra: Partial<Intent> = {}): Intent => ({
  version: 1,
  kind: 'transfer',
  chain: 'ethereum',
  asset: 'ETH',
  amount,
  source: { vaultId: 'vlt-1' },
  destination: { address: '0x' + 'ee'.repeat(20) },
  digests: [DIGEST],
  ...extra,
});

function requestPayload(i: Intent) {
  return requestApprovalPayloadJson({
    requestId: 'req-1',
    vaultId: 'vlt-1',
    digests: i.digests,
    policyVersion: 2,
    intentHash: intentHash(i),
    expiresAt: EXPIRES,
    decision: 'approve',
  });
}

function evidence(
  i: Intent,
  approvals: readonly [Key, string][] = [],
  options: {
    doc?: PublishedPolicy;
    signers?: readonly Key[];
    initiator?: string;
    external?: SigningEvidenceV2['external'];
    signedIntent?: Intent;
  } = {},
): SigningEvidenceV2 {
  const doc = options.doc ?? published();
  const initiator = options.initiator ?? 'usr-i';
  return {
    version: 2,
    requestId: 'req-1',
    vaultId: 'vlt-1',
    digests: i.digests,
    policyVersion: 2,
    request: {
      intent: i,
      initiator: { kind: 'user', id: initiator, role: 'initiator', principal: initiator },
      createdAt: CREATED,
      expiresAt: EXPIRES,
    },
    policy: {
      document: doc,
      approvals: versionApprovals(doc, options.signers ?? [adminA, adminB]),
    },
    approvals: approvals.map(([k, at]) => ({
      approval: sign(k, requestPayload(options.signedIntent ?? i)),
      at,
    })),
    external: options.external ?? [],
    velocity: [],
  };
}

function refusal(value: unknown, digest = DIGEST, now = NOW, g: VaultGenesis | null = genesis) {
  try {
    assertEvidenceV2(g ?? undefined, value, digest, now);
  } catch (error) {
    if (error instanceof ApprovalRefused) return { reason: error.reason, message: error.message };
    throw error;
  }
  throw new Error('evidence was accepted');
}

const T1 = '2026-11-22T10:05:00.000Z';
const T2 = '2026-11-22T10:10:00.000Z';

describe('evidence v2: accepted', () => {
  it('recognises the format by its version', () => {
    expect(isEvidenceV2(evidence(intent('1')))).toBe(true);
    expect(isEvidenceV2({ version: 1 })).toBe(false);
  });

  it('a request the policy allows needs no approval', () => {
    expect(assertEvidenceV2(genesis, evidence(intent('100')), DIGEST, NOW).approvers).toEqual([]);
  });

  it('sequential stages: a teller, then a manager', () => {
    const accepted = assertEvidenceV2(
      genesis,
      evidence(intent('5000'), [
        [teller, T1],
        [adminB, T2],
      ]),
      DIGEST,
      NOW,
    );
    expect(accepted.approvers).toEqual(['key-t', 'key-b']);
  });

  it('an external approver’s signed answer', () => {
    const call = intent('0', { kind: 'contract_call' });
    const signature = bytesToHex(
      ed25519.sign(
        utf8ToBytes(
          externalDecisionPayloadJson({
            endpointId: 'aml',
            callId: 'call-1',
            requestId: 'req-1',
            intentHash: intentHash(call),
            decision: 'approve',
          }),
        ),
        aml.secretKey,
      ),
    );
    const answer = {
      endpointId: 'aml',
      callId: 'call-1',
      decision: 'approve' as const,
      signature,
      at: T1,
    };
    expect(() =>
      assertEvidenceV2(genesis, evidence(call, [], { external: [answer] }), DIGEST, NOW),
    ).not.toThrow();
    const forged = { ...answer, callId: 'call-2' };
    expect(refusal(evidence(call, [], { external: [forged] })).reason).toBe('INVALID_SIGNATURE');
    const unknown = { ...answer, endpointId: 'kyc' };
    expect(refusal(evidence(call, [], { external: [unknown] })).reason).toBe('UNKNOWN_APPROVER');
    expect(refusal(evidence(call)).reason).toBe('QUORUM_NOT_MET');
  });
});

describe('evidence v2: the published version', () => {
  it('needs a quorum of genesis approvers, counted per person', () => {
    const onePerson = refusal(evidence(intent('1'), [], { signers: [adminA, adminA2] }));
    expect(onePerson).toMatchObject({ reason: 'POLICY_NOT_AUTHORISED' });
    expect(onePerson.message).toMatch(/1 of 2 genesis approvers/);
    const outsider = refusal(evidence(intent('1'), [], { signers: [adminA, teller] }));
    expect(outsider.reason).toBe('POLICY_NOT_AUTHORISED');
    // A key generated without a genesis has no roster to judge a published version by.
    expect(refusal(evidence(intent('1')), DIGEST, NOW, null).reason).toBe('POLICY_NOT_AUTHORISED');
  });

  it('is for the key’s organisation, and unchanged since it was signed', () => {
    const other = published({ orgId: 'org-2' });
    expect(refusal(evidence(intent('1'), [], { doc: other })).reason).toBe('POLICY_ORG_MISMATCH');
    const signed = evidence(intent('1'));
    const loosened: SigningEvidenceV2 = {
      ...signed,
      policy: {
        ...signed.policy,
        document: {
          ...signed.policy.document,
          policy: { ...policy, rules: policy.rules.slice(2) },
        },
      },
    };
    expect(refusal(loosened).reason).toBe('POLICY_NOT_AUTHORISED');
  });
});

describe('evidence v2: the request', () => {
  it('is for this vault, with the intent’s own digests including the one to sign', () => {
    const e = evidence(intent('1'));
    expect(refusal({ ...e, digests: ['cd'.repeat(32)] }).reason).toBe('INTENT_MISMATCH');
    const elsewhere = intent('1', { source: { vaultId: 'vlt-2' } });
    expect(refusal(evidence(elsewhere)).reason).toBe('INTENT_MISMATCH');
    expect(refusal({ ...e, vaultId: 'vlt-2' }).reason).toBe('VAULT_MISMATCH');
    expect(refusal(e, 'cd'.repeat(32)).reason).toBe('DIGEST_NOT_APPROVED');
  });

  it('is refused when the policy blocks it', () => {
    const refused = refusal(evidence(intent('1', { destination: { address: SANCTIONED } })));
    expect(refused.reason).toBe('POLICY_BLOCKED');
  });

  it('counts stages in order, never the initiator, and only approvals of this intent', () => {
    expect(refusal(evidence(intent('5000'), [[teller, T1]])).reason).toBe('QUORUM_NOT_MET');
    // The manager approved before the teller stage was satisfied: it does not count.
    const early = refusal(
      evidence(intent('5000'), [
        [adminB, T1],
        [teller, T2],
      ]),
    );
    expect(early).toMatchObject({ reason: 'QUORUM_NOT_MET' });
    expect(early.message).toMatch(/Managers/);
    const own = evidence(
      intent('5000'),
      [
        [teller, T1],
        [adminB, T2],
      ],
      { initiator: 'usr-b' },
    );
    expect(refusal(own).reason).toBe('QUORUM_NOT_MET');
    // Approvals of a 5000 transfer do not cover the same digest described as 6000.
    const relabelled = evidence(
      intent('6000'),
      [
        [teller, T1],
        [adminB, T2],
      ],
      { signedIntent: intent('5000') },
    );
    expect(refusal(relabelled).reason).toBe('INVALID_SIGNATURE');
    expect(refusal(evidence(intent('5000'), [[stranger, T1]])).reason).toBe('UNKNOWN_APPROVER');
    expect(
      refusal(
        evidence(intent('5000'), [
          [teller, T1],
          [teller, T2],
        ]),
      ).reason,
    ).toBe('DUPLICATE_APPROVER');
  });

  it('expires by the node’s clock, and may not come from the future', () => {
    expect(refusal(evidence(intent('1')), DIGEST, new Date(EXPIRES)).reason).toBe(
      'REQUEST_EXPIRED',
    );
    const early = new Date(Date.parse(CREATED) - 10 * 60_000);
    expect(refusal(evidence(intent('1')), DIGEST, early).reason).toBe('REQUEST_EXPIRED');
  });

  it('is refused when malformed, naming the field', () => {
    const e = evidence(intent('1'));
    const malformed = refusal({ ...e, extra: true });
    expect(malformed.reason).toBe('EVIDENCE_MALFORMED');
    const badAmount = refusal({
      ...e,
      request: { ...e.request, intent: { ...e.request.intent, amount: '-1' } },
    });
    expect(badAmount.message).toMatch(/request\.intent\.amount/);
  });
});
