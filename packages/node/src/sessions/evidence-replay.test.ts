/**
 * Evidence replay through the session runner (APPROVALS.md, "Replay"): approvals admit
 * SESSIONS_PER_APPROVAL signing sessions per (vault, request, digest) on a node, each with
 * fresh nonces. Three in-process nodes with durable ledgers: evidence covering two digests signs
 * the first (three times, three different valid signatures); a fourth session presenting the
 * same evidence for that digest is refused by every signer with EVIDENCE_REFUSED /
 * EVIDENCE_REPLAYED (logged, no nonce drawn, no state kept); the second approved digest still
 * signs; and the count survives a crash and restart of the node.
 */
import { hexToBytes, verifySignature } from '@coffer/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSIONS_PER_APPROVAL, type ApprovalPolicy } from '../approvals/index.js';
import {
  Cluster,
  approveWithApiKeys,
  freshSessionId,
  makeApiKeyApprover,
} from './cluster.testkit.js';
import type { DkgSessionOutput } from './drivers/dkg.js';
import { frostNonceLedgerId, type FrostSignOutput } from './drivers/frost-sign.js';
import { loadSessionRecord } from './session-store.js';

const approvers = [makeApiKeyApprover('alice-key'), makeApiKeyApprover('bob-key')];
const policy: ApprovalPolicy = {
  version: 1,
  vaultId: 'vault-replay',
  policyVersion: 1,
  quorum: 2,
  approvers: approvers.map((a) => a.enrolment),
};
const PARTIES: Record<string, string> = { p1: 'node-a', p2: 'node-b', p3: 'node-c' };
const SIGNERS: Record<string, string> = { p1: 'node-a', p2: 'node-b' };
const first = '11'.repeat(32);
const second = '22'.repeat(32);
const evidence = approveWithApiKeys(policy, [first, second], approvers, 'req-once');

let cluster: Cluster;
let key: DkgSessionOutput;
beforeAll(async () => {
  cluster = await Cluster.start(['node-a', 'node-b', 'node-c'], { approvalPolicy: policy });
  key = await cluster.generateKey('dkg', { group: 'ed25519', structure: '2of(p1,p2,p3)' }, PARTIES);
});
afterAll(async () => {
  await cluster.stop();
});

const request = (message: string) => ({
  sessionId: freshSessionId(),
  protocol: 'frost-sign' as const,
  params: { suite: 'frost-ed25519', keyId: key.keyId, message },
  participants: SIGNERS,
  evidence,
});

async function sign(message: string) {
  const req = request(message);
  const outcomes = await Promise.allSettled(
    Object.values(SIGNERS).map((n) => cluster.node(n).runner.run<FrostSignOutput>(req)),
  );
  return { req, outcomes };
}

describe('evidence replay', () => {
  it('the same approvals admit three sessions of a digest, fresh nonces each, never a fourth', async () => {
    const signatures = new Set<string>();
    for (let session = 0; session < SESSIONS_PER_APPROVAL; session++) {
      const once = await sign(first);
      const output = once.outcomes.map((o) => {
        if (o.status !== 'fulfilled') throw o.reason as Error;
        return o.value.output;
      })[0]!;
      expect(
        verifySignature(
          'frost-ed25519',
          hexToBytes(output.signature),
          hexToBytes(first),
          hexToBytes(key.publicKey),
        ),
      ).toBe(true);
      signatures.add(output.signature);
    }
    // Fresh nonces in every session: three different signatures of the one digest.
    expect(signatures.size).toBe(SESSIONS_PER_APPROVAL);

    const replay = await sign(first);
    for (const [i, [party, node]] of Object.entries(SIGNERS).entries()) {
      const outcome = replay.outcomes[i]!;
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({
        code: 'EVIDENCE_REFUSED',
        reason: 'EVIDENCE_REPLAYED',
        culprits: [],
      });
      const n = cluster.node(node);
      expect(n.ledger.has(frostNonceLedgerId(replay.req.sessionId, party))).toBe(false);
      expect(await loadSessionRecord(n.keystore, replay.req.sessionId)).toBeUndefined();
      const line = n.logs.find(
        (l) => l.reason === 'EVIDENCE_REPLAYED' && l.sessionId === replay.req.sessionId,
      );
      expect(line).toMatchObject({
        level: 40,
        msg: 'signing request refused: evidence already used',
        requestId: 'req-once',
        vaultId: 'vault-replay',
      });
      expect(JSON.stringify(line)).not.toContain(evidence.approvals[0]!.signature);
    }
  });

  it('each approved digest has its own count; the count survives a restart', async () => {
    for (let session = 0; session < SESSIONS_PER_APPROVAL; session++) {
      const other = await sign(second);
      expect(other.outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
    }
    await cluster.crash('node-a');
    const restarted = await cluster.restart('node-a', { approvalPolicy: policy });
    await expect(restarted.runner.run(request(second))).rejects.toMatchObject({
      code: 'EVIDENCE_REFUSED',
      reason: 'EVIDENCE_REPLAYED',
    });
  });
});
