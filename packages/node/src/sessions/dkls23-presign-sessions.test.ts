/**
 * DKLs23 presigning and finishing through the session runner on three in-process nodes
 * (2-of-3 keygen first): a `dkls23-presign` session stores each signer's presignature sealed
 * in its keystore and returns only public values; a `dkls23-finish` session with valid
 * evidence turns it into a signature noble verifies (`prehash: false`), under the tweaked key
 * when presigned with a tweak. The approval gate guards finish (no evidence, or evidence for
 * another digest, is refused and burns nothing), the signer set must be the presign set, and
 * a presignature is spent exactly once: a second finish (another digest), even on a restored
 * copy of the record, is refused on every node without any (u_i, w_i) broadcast. A
 * presignature survives a node restart (keystore and durable ledger reopened) and can then be
 * finished once.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApprovalPolicy } from '../approvals/index.js';
import {
  Cluster,
  approveWithApiKeys,
  freshSessionId,
  makeApiKeyApprover,
} from './cluster.testkit.js';
import type { DkgSessionOutput } from './drivers/dkg.js';
import type { Dkls23FinishOutput } from './drivers/dkls23-finish.js';
import { presignatureRecordName, type Dkls23PresignOutput } from './drivers/dkls23-presign.js';
import type { SessionRequest } from './runner.js';

const approver = makeApiKeyApprover('ops-key');
const policy: ApprovalPolicy = {
  version: 1,
  vaultId: 'vault-p',
  policyVersion: 1,
  quorum: 1,
  approvers: [approver.enrolment],
};
const PARTIES: Record<string, string> = { p1: 'node-a', p2: 'node-b', p3: 'node-c' };

let cluster: Cluster;
let key: DkgSessionOutput;
beforeAll(async () => {
  cluster = await Cluster.start(['node-a', 'node-b', 'node-c'], { approvalPolicy: policy });
  key = await cluster.generateKey('dkls23-keygen', { structure: '2of(p1,p2,p3)' }, PARTIES);
});
afterAll(async () => {
  await cluster.stop();
});

const participants = (parties: readonly string[]) =>
  Object.fromEntries(parties.map((p) => [p, PARTIES[p]!]));
const nodesOf = (parties: readonly string[]) => parties.map((p) => PARTIES[p]!);

async function presign(parties: readonly string[], tweak?: string): Promise<Dkls23PresignOutput> {
  const request: SessionRequest = {
    sessionId: freshSessionId(),
    protocol: 'dkls23-presign',
    params: tweak === undefined ? { keyId: key.keyId } : { keyId: key.keyId, tweak },
    participants: participants(parties),
  };
  const results = await Promise.all(
    nodesOf(parties).map((n) => cluster.node(n).runner.run<Dkls23PresignOutput>(request)),
  );
  for (const result of results) expect(result.output).toEqual(results[0]!.output);
  return results[0]!.output;
}

function finishRequest(
  presignatureId: string,
  digest: string,
  parties: readonly string[],
  evidence: unknown = approveWithApiKeys(policy, [digest], [approver]),
): SessionRequest {
  return {
    sessionId: freshSessionId(),
    protocol: 'dkls23-finish',
    params: { presignatureId, digest },
    participants: participants(parties),
    evidence,
  };
}

async function finish(request: SessionRequest, parties: readonly string[]) {
  return Promise.allSettled(
    nodesOf(parties).map((n) => cluster.node(n).runner.run<Dkls23FinishOutput>(request)),
  );
}

function verifies(output: Dkls23FinishOutput, digest: string): boolean {
  return secp256k1.verify(
    hexToBytes(output.signature),
    hexToBytes(digest),
    hexToBytes(output.publicKey),
    { prehash: false },
  );
}

/** Runs `body` and returns, per node, how many broadcasts it sent for `sessionId`. */
async function broadcastsDuring(
  nodes: readonly string[],
  sessionId: string,
  body: () => Promise<unknown>,
): Promise<number[]> {
  const spies = nodes.map((n) => vi.spyOn(cluster.node(n).transport, 'broadcast'));
  try {
    await body();
    return spies.map((spy) => spy.mock.calls.filter(([session]) => session === sessionId).length);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

function codes(settled: readonly PromiseSettledResult<unknown>[]): unknown[] {
  return settled.map((s) =>
    s.status === 'rejected' ? (s.reason as { code: unknown }).code : 'ok',
  );
}

describe('DKLs23 presign, then finish', () => {
  it('presigns with a tweak, refuses bad requests without burning it, signs once', async () => {
    const signers = ['p1', 'p2'];
    const tweak = '0a'.repeat(32);
    const pre = await presign(signers, tweak);
    expect(Object.keys(pre).sort()).toEqual(['presignatureId', 'publicKey', 'r']);
    const tweaked = secp256k1.Point.fromHex(key.publicKey)
      .add(secp256k1.Point.BASE.multiply(BigInt(`0x${tweak}`)))
      .toHex(true);
    expect(pre.publicKey).toBe(tweaked);
    const recordName = presignatureRecordName(pre.presignatureId);
    const sealed = new Map<string, Uint8Array>();
    for (const n of nodesOf(signers)) {
      sealed.set(n, await cluster.node(n).keystore.get(recordName));
    }

    const digest = '7e'.repeat(32);
    // No evidence, and evidence for another digest: the gate refuses; nothing is consumed.
    const { sessionId, protocol, params } = finishRequest(pre.presignatureId, digest, signers);
    const noEvidence: SessionRequest = {
      sessionId,
      protocol,
      params,
      participants: participants(signers),
    };
    expect(noEvidence).not.toHaveProperty('evidence');
    expect(codes(await finish(noEvidence, signers))).toEqual([
      'EVIDENCE_REFUSED',
      'EVIDENCE_REFUSED',
    ]);
    const otherEvidence = approveWithApiKeys(policy, ['11'.repeat(32)], [approver]);
    const wrongDigest = finishRequest(pre.presignatureId, digest, signers, otherEvidence);
    expect(codes(await finish(wrongDigest, signers))).toEqual([
      'EVIDENCE_REFUSED',
      'EVIDENCE_REFUSED',
    ]);
    // Another signer set: p1 refuses before consuming, p3 has no such presignature.
    const otherSet = finishRequest(pre.presignatureId, digest, ['p1', 'p3']);
    expect(codes(await finish(otherSet, ['p1', 'p3']))).toEqual([
      'INVALID_REQUEST',
      'KEY_UNAVAILABLE',
    ]);

    const request = finishRequest(pre.presignatureId, digest, signers);
    const settled = await finish(request, signers);
    expect(codes(settled)).toEqual(['ok', 'ok']);
    const [a, b] = settled.map(
      (s) => (s as PromiseFulfilledResult<{ output: Dkls23FinishOutput }>).value.output,
    );
    expect(a).toEqual(b);
    expect(a!.r).toBe(pre.r);
    expect(a!.publicKey).toBe(tweaked);
    expect(verifies(a!, digest)).toBe(true);
    for (const n of nodesOf(signers)) {
      expect(await cluster.node(n).keystore.has(recordName)).toBe(false);
    }

    // A second finish (another digest, valid evidence): no record left, no w_i released.
    const again = finishRequest(pre.presignatureId, '8f'.repeat(32), signers);
    let second: PromiseSettledResult<unknown>[] = [];
    const sentAgain = await broadcastsDuring(nodesOf(signers), again.sessionId, async () => {
      second = await finish(again, signers);
    });
    expect(codes(second)).toEqual(['KEY_UNAVAILABLE', 'KEY_UNAVAILABLE']);
    expect(sentAgain).toEqual([0, 0]);

    // Even a restored copy of the sealed record is refused by the durable ledger.
    for (const [n, bytes] of sealed) await cluster.node(n).keystore.put(recordName, bytes);
    const restored = finishRequest(pre.presignatureId, '9a'.repeat(32), signers);
    let third: PromiseSettledResult<unknown>[] = [];
    const sentRestored = await broadcastsDuring(nodesOf(signers), restored.sessionId, async () => {
      third = await finish(restored, signers);
    });
    expect(codes(third)).toEqual(['STATE_CONSUMED', 'STATE_CONSUMED']);
    expect(sentRestored).toEqual([0, 0]);
    for (const n of nodesOf(signers)) {
      expect(await cluster.node(n).keystore.has(recordName)).toBe(false);
    }
  });

  it('a presignature survives a restart and is finished once', async () => {
    const signers = ['p2', 'p3'];
    const pre = await presign(signers);
    expect(pre.publicKey).toBe(key.publicKey);
    await cluster.crash('node-c');
    await cluster.restart('node-c', { approvalPolicy: policy });

    const digest = 'c4'.repeat(32);
    const settled = await finish(finishRequest(pre.presignatureId, digest, signers), signers);
    expect(codes(settled)).toEqual(['ok', 'ok']);
    const out = (settled[0] as PromiseFulfilledResult<{ output: Dkls23FinishOutput }>).value.output;
    expect(verifies(out, digest)).toBe(true);
    const recovered = secp256k1.Signature.fromBytes(hexToBytes(out.signature))
      .addRecoveryBit(out.recovery)
      .recoverPublicKey(hexToBytes(digest));
    expect(recovered.toHex(true)).toBe(key.publicKey);

    // Restart again: the consumption is durable, the record gone; a second finish is refused.
    await cluster.crash('node-c');
    await cluster.restart('node-c', { approvalPolicy: policy });
    const again = finishRequest(pre.presignatureId, 'd5'.repeat(32), signers);
    let second: PromiseSettledResult<unknown>[] = [];
    const sent = await broadcastsDuring(nodesOf(signers), again.sessionId, async () => {
      second = await finish(again, signers);
    });
    expect(codes(second)).toEqual(['KEY_UNAVAILABLE', 'KEY_UNAVAILABLE']);
    expect(sent).toEqual([0, 0]);
  });
});
