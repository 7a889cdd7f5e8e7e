/**
 * The approval gate's dispatch through the session runner (APPROVALS.md "Evidence v2",
 * "Replay"): three in-process nodes hold a FROST key born with a genesis of three admins (one a
 * passkey) and a key without genesis. On the genesis key, evidence v1 approved by two admins
 * still signs; evidence v2 under the published version, approved by two tellers (an API key
 * and a passkey), signs SESSIONS_PER_APPROVAL times and is then refused by the ledger
 * (EVIDENCE_REPLAYED); a refused v2 (one teller; expired) consumes nothing. The key without a
 * genesis cannot take v2 (POLICY_NOT_AUTHORISED).
 */
import { hexToBytes, verifySignature } from '@coffer/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalPayloadBytes } from '../src/approvals/evidence.js';
import {
  adminA,
  adminC,
  evidenceV2,
  genesis,
  intent,
  teller,
  teller2,
  type EvidenceOptions,
  type Signer,
} from '../src/approvals/evidence-v2.testkit.js';
import { SESSIONS_PER_APPROVAL, type ApprovalPolicy } from '../src/approvals/index.js';
import { Cluster, freshSessionId, makeApiKeyApprover } from '../src/sessions/cluster.testkit.js';
import type { DkgSessionOutput } from '../src/sessions/drivers/dkg.js';
import type { FrostSignOutput } from '../src/sessions/drivers/frost-sign.js';

const configured: ApprovalPolicy = {
  version: 1,
  vaultId: 'vault-configured',
  policyVersion: 1,
  quorum: 1,
  approvers: [makeApiKeyApprover('operator').enrolment],
};
const PARTIES: Record<string, string> = { p1: 'node-a', p2: 'node-b', p3: 'node-c' };
const SIGNERS: Record<string, string> = { p1: 'node-a', p2: 'node-b' };

let cluster: Cluster;
let key: DkgSessionOutput;
let keyWithoutGenesis: DkgSessionOutput;
beforeAll(async () => {
  cluster = await Cluster.start(['node-a', 'node-b', 'node-c'], { approvalPolicy: configured });
  key = await cluster.generateKey('dkg', { group: 'ed25519', structure: '2of3', genesis }, PARTIES);
  keyWithoutGenesis = await cluster.generateKey(
    'dkg',
    { group: 'ed25519', structure: '2of3' },
    PARTIES,
  );
});
afterAll(async () => {
  await cluster.stop();
});

async function sign(message: string, evidence: unknown, keyId = key.keyId) {
  const request = {
    sessionId: freshSessionId(),
    protocol: 'frost-sign' as const,
    params: { suite: 'frost-ed25519', keyId, message },
    participants: SIGNERS,
    evidence,
  };
  return Promise.allSettled(
    Object.values(SIGNERS).map((n) => cluster.node(n).runner.run<FrostSignOutput>(request)),
  );
}

function expectSigned(
  outcomes: PromiseSettledResult<{ output: FrostSignOutput }>[],
  message: string,
) {
  for (const outcome of outcomes) {
    expect(outcome.status).toBe('fulfilled');
    const { signature } = (outcome as PromiseFulfilledResult<{ output: FrostSignOutput }>).value
      .output;
    const valid = verifySignature(
      'frost-ed25519',
      hexToBytes(signature),
      hexToBytes(message),
      hexToBytes(key.publicKey),
    );
    expect(valid).toBe(true);
  }
}

function expectRefused(outcomes: PromiseSettledResult<unknown>[], reason: string) {
  for (const outcome of outcomes) {
    expect(outcome.status).toBe('rejected');
    expect((outcome as PromiseRejectedResult).reason).toMatchObject({
      code: 'EVIDENCE_REFUSED',
      reason,
    });
  }
}

/** Evidence v2 for a 500 transfer signing `message` (two tellers needed), valid for an hour. */
function mediumTransfer(
  message: string,
  approvals: readonly Signer[],
  options: EvidenceOptions = {},
) {
  const now = Date.now();
  const times = approvals.map((s, i) => [s, new Date(now - 60_000 + i).toISOString()] as const);
  return evidenceV2(intent('500', { digests: [message] }), times, {
    requestId: `req-${message.slice(0, 8)}`,
    createdAt: new Date(now - 120_000).toISOString(),
    expiresAt: new Date(now + 3_600_000).toISOString(),
    ...options,
  });
}

describe('the gate dispatches on the evidence version', () => {
  it('v1 evidence, approved by two genesis admins, still signs on a genesis key', async () => {
    const message = '10'.repeat(32);
    const body = { requestId: 'req-v1', vaultId: 'vlt-1', digests: [message], policyVersion: 1 };
    const payload = new TextDecoder().decode(approvalPayloadBytes(body));
    const v1 = { version: 1, ...body, approvals: [adminA, adminC].map((s) => s.approve(payload)) };
    expectSigned(await sign(message, v1), message);
  });

  it('v2 approved by two tellers signs a bounded number of times, then the ledger refuses it', async () => {
    const message = '20'.repeat(32);
    const evidence = mediumTransfer(message, [teller, teller2]);
    for (let session = 0; session < SESSIONS_PER_APPROVAL; session++) {
      expectSigned(await sign(message, evidence), message);
    }
    expectRefused(await sign(message, evidence), 'EVIDENCE_REPLAYED');
  });

  it('refused v2 evidence consumes nothing: the complete evidence then signs', async () => {
    const message = '30'.repeat(32);
    expectRefused(await sign(message, mediumTransfer(message, [teller])), 'QUORUM_NOT_MET');
    const now = Date.now();
    const expired = mediumTransfer(message, [teller, teller2], {
      createdAt: new Date(now - 7_200_000).toISOString(),
      expiresAt: new Date(now - 60_000).toISOString(),
    });
    expectRefused(await sign(message, expired), 'REQUEST_EXPIRED');
    expectSigned(await sign(message, mediumTransfer(message, [teller, teller2])), message);
  });

  it('a key generated without a genesis cannot take v2', async () => {
    const message = '40'.repeat(32);
    const evidence = mediumTransfer(message, [teller, teller2]);
    const outcomes = await sign(message, evidence, keyWithoutGenesis.keyId);
    expectRefused(outcomes, 'POLICY_NOT_AUTHORISED');
    expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({
      message: expect.stringMatching(/no genesis/) as string,
    });
  });
});
