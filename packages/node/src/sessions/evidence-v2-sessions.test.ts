/**
 * Evidence v2 through the session runner (APPROVALS.md "Evidence v2"): three in-process nodes
 * hold a FROST key whose genesis names one admin. Requests judged under a published version
 * the admin signed are signed; the same approvals admit a bounded number of sessions; and once
 * a node has accepted version 3 for the key, evidence judged under the superseded version 2 is
 * refused (POLICY_VERSION_MISMATCH) — a coordinator cannot roll the key back to a laxer policy
 * — also after a restart of the node.
 */
import { randomBytes } from 'node:crypto';
import { hexToBytes, verifySignature } from '@coffer/crypto';
import {
  policyApprovalPayloadJson,
  publishedPolicyHash,
  type PublishedPolicy,
  type SigningEvidenceV2,
} from '@coffer/protocol';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SESSIONS_PER_APPROVAL,
  type ApprovalPolicy,
  type VaultGenesis,
} from '../approvals/index.js';
import { Cluster, freshSessionId, makeApiKeyApprover } from './cluster.testkit.js';
import type { DkgSessionOutput } from './drivers/dkg.js';
import type { FrostSignOutput } from './drivers/frost-sign.js';

const admin = makeApiKeyApprover('admin-key');
const configured: ApprovalPolicy = {
  version: 1,
  vaultId: 'vault-configured',
  policyVersion: 1,
  quorum: 1,
  approvers: [makeApiKeyApprover('operator').enrolment],
};
const genesis: VaultGenesis = {
  v: 1,
  vaultId: 'vault-v2',
  orgId: 'org-v2',
  policy: {
    version: 1,
    vaultId: 'vault-v2',
    policyVersion: 1,
    quorum: 1,
    approvers: [{ ...admin.enrolment, principal: 'usr-admin' }],
  },
};
const NODES = ['node-a', 'node-b', 'node-c'];
const PARTIES: Record<string, string> = { p1: 'node-a', p2: 'node-b', p3: 'node-c' };
const SIGNERS: Record<string, string> = { p1: 'node-a', p2: 'node-b' };

/** Version `n` of an allow-everything policy, approved by the genesis admin. */
function published(policyVersion: number) {
  const document: PublishedPolicy = {
    version: 1,
    orgId: 'org-v2',
    policyVersion,
    previousHash: null,
    policy: {
      version: 1,
      policyVersion,
      groups: [],
      rules: [{ id: 'all', name: 'Everything', conditions: {}, action: { type: 'allow' } }],
    },
    directory: {
      members: [{ id: 'usr-admin', role: 'admin' }],
      approvers: [],
      externalApprovers: [],
    },
  };
  const payload = policyApprovalPayloadJson({
    orgId: 'org-v2',
    policyVersion,
    hash: publishedPolicyHash(document),
    decision: 'approve',
  });
  const signature = bytesToHex(ed25519.sign(utf8ToBytes(payload), admin.secretKey));
  return {
    document,
    approvals: [{ approverKeyId: admin.keyId, scheme: 'ed25519' as const, signature }],
  };
}

function evidence(policyVersion: number, message: string): SigningEvidenceV2 {
  const now = Date.now();
  return {
    version: 2,
    requestId: `req-${randomBytes(4).toString('hex')}`,
    vaultId: 'vault-v2',
    digests: [message],
    policyVersion,
    request: {
      intent: {
        version: 1,
        kind: 'message',
        chain: 'raw',
        asset: 'raw',
        amount: '0',
        source: { vaultId: 'vault-v2' },
        digests: [message],
      },
      initiator: { kind: 'user', id: 'usr-init', role: 'initiator', principal: 'usr-init' },
      createdAt: new Date(now - 1000).toISOString(),
      expiresAt: new Date(now + 3_600_000).toISOString(),
    },
    policy: published(policyVersion),
    approvals: [],
    external: [],
    velocity: [],
  };
}

let cluster: Cluster;
let key: DkgSessionOutput;
beforeAll(async () => {
  cluster = await Cluster.start(NODES, { approvalPolicy: configured });
  key = await cluster.generateKey('dkg', { group: 'ed25519', structure: '2of3', genesis }, PARTIES);
});
afterAll(async () => {
  await cluster.stop();
});

async function sign(message: string, proof: unknown) {
  const request = {
    sessionId: freshSessionId(),
    protocol: 'frost-sign' as const,
    params: { suite: 'frost-ed25519', keyId: key.keyId, message },
    participants: SIGNERS,
    evidence: proof,
  };
  return Promise.allSettled(
    Object.values(SIGNERS).map((n) => cluster.node(n).runner.run<FrostSignOutput>(request)),
  );
}

const refusalOf = (outcome: PromiseSettledResult<unknown>) =>
  (outcome as PromiseRejectedResult).reason as { code: string; reason: string; message: string };

describe('evidence v2 through the runner', () => {
  it('signs under a published version, a bounded number of times', async () => {
    const message = 'aa'.repeat(16);
    const proof = evidence(2, message);
    for (let session = 0; session < SESSIONS_PER_APPROVAL; session++) {
      const outcomes = await sign(message, proof);
      const [first] = outcomes;
      expect(first?.status).toBe('fulfilled');
      const output = (first as PromiseFulfilledResult<{ output: FrostSignOutput }>).value.output;
      expect(
        verifySignature(
          'frost-ed25519',
          hexToBytes(output.signature),
          hexToBytes(message),
          hexToBytes(key.publicKey),
        ),
      ).toBe(true);
    }
    for (const outcome of await sign(message, proof)) {
      expect(refusalOf(outcome)).toMatchObject({
        code: 'EVIDENCE_REFUSED',
        reason: 'EVIDENCE_REPLAYED',
      });
    }
  });

  it('refuses a superseded version once a newer one was accepted, also after a restart', async () => {
    const newer = await sign('bb'.repeat(16), evidence(3, 'bb'.repeat(16)));
    expect(newer.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
    for (const outcome of await sign('cc'.repeat(16), evidence(2, 'cc'.repeat(16)))) {
      expect(refusalOf(outcome)).toMatchObject({
        code: 'EVIDENCE_REFUSED',
        reason: 'POLICY_VERSION_MISMATCH',
        message: expect.stringMatching(/superseded: this node accepted version 3/) as string,
      });
    }
    await cluster.crash('node-a');
    const restarted = await cluster.restart('node-a', { approvalPolicy: configured });
    await expect(
      restarted.runner.run({
        sessionId: freshSessionId(),
        protocol: 'frost-sign',
        params: { suite: 'frost-ed25519', keyId: key.keyId, message: 'dd'.repeat(16) },
        participants: SIGNERS,
        evidence: evidence(2, 'dd'.repeat(16)),
      }),
    ).rejects.toMatchObject({ code: 'EVIDENCE_REFUSED', reason: 'POLICY_VERSION_MISMATCH' });
  });
});
