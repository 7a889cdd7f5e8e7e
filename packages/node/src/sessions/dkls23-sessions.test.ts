/**
 * DKLs23 through the session runner on three in-process nodes: keygen (DKG + pairwise
 * setup) for 2-of-3, then a 2-party signature that noble's independent verifier accepts
 * (`secp256k1.verify(sig, digest, pk, { prehash: false })`) with a matching recovery id;
 * the presignature is consumed in each signer's durable ledger; a tampered round-2 message
 * aborts naming its sender.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalPolicy } from '../approvals/index.js';
import {
  Cluster,
  approveWithApiKeys,
  freshSessionId,
  makeApiKeyApprover,
} from './cluster.testkit.js';
import type { DkgSessionOutput } from './drivers/dkg.js';
import { dkls23SignDriver, type Dkls23SignOutput } from './drivers/dkls23-sign.js';
import { keyShareRecord } from './session-store.js';
import type { ProtocolDriver } from './types.js';

const approver = makeApiKeyApprover('ops-key');
const policy: ApprovalPolicy = {
  version: 1,
  vaultId: 'vault-e',
  policyVersion: 3,
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

function signRequest(digest: string, parties: readonly string[]) {
  return {
    sessionId: freshSessionId(),
    protocol: 'dkls23-sign' as const,
    params: { keyId: key.keyId, digest },
    participants: Object.fromEntries(parties.map((p) => [p, PARTIES[p]!])),
    evidence: approveWithApiKeys(policy, [digest], [approver]),
  };
}

describe('DKLs23 keygen then sign', () => {
  it('stores a DKLs23 key share on every node', async () => {
    for (const node of Object.values(PARTIES)) {
      expect(await cluster.node(node).keystore.has(keyShareRecord('dkls23-share', key.keyId))).toBe(
        true,
      );
    }
  });

  it('signs a digest; the signature verifies with noble and recovers the key', async () => {
    const digest = '3c'.repeat(32);
    const request = signRequest(digest, ['p2', 'p3']);
    const [b, c] = await Promise.all(
      ['node-b', 'node-c'].map((n) => cluster.node(n).runner.run<Dkls23SignOutput>(request)),
    );
    expect(b!.output).toEqual(c!.output);
    const { signature, recovery, publicKey } = b!.output;
    expect(publicKey).toBe(key.publicKey);
    expect(
      secp256k1.verify(hexToBytes(signature), hexToBytes(digest), hexToBytes(publicKey), {
        prehash: false,
      }),
    ).toBe(true);
    const recovered = secp256k1.Signature.fromBytes(hexToBytes(signature))
      .addRecoveryBit(recovery)
      .recoverPublicKey(hexToBytes(digest));
    expect(recovered.toHex(true)).toBe(publicKey);
  });

  it('aborts naming the signer whose round-2 commitment opening was tampered', async () => {
    const tampering: ProtocolDriver = {
      ...(dkls23SignDriver as ProtocolDriver),
      async step(ctx, state, inbound) {
        const out = await dkls23SignDriver.step(ctx, state, inbound);
        if ('done' in out || (JSON.parse(state) as { phase: string }).phase !== 'round1')
          return out;
        return {
          ...out,
          outbound: out.outbound.map((m) => {
            // A wrong opening of the round-1 nonce commitment (DKLs23 Protocol 3.6 step 8).
            const msg = JSON.parse(m.payload) as { salt: string };
            const salt = (msg.salt[0] === '0' ? '1' : '0') + msg.salt.slice(1);
            return { ...m, payload: JSON.stringify({ ...msg, salt }) };
          }),
        };
      },
    };
    cluster.reconfigure('node-a', {
      approvalPolicy: policy,
      drivers: { 'dkls23-sign': tampering },
    });
    const request = signRequest('5d'.repeat(32), ['p1', 'p3']);
    const [, honest] = await Promise.allSettled([
      cluster.node('node-a').runner.run(request),
      cluster.node('node-c').runner.run(request),
    ]);
    expect(honest.status).toBe('rejected');
    expect((honest as PromiseRejectedResult).reason).toMatchObject({
      code: 'PROTOCOL_FAULT',
      culprits: ['p1'],
    });
    cluster.reconfigure('node-a', { approvalPolicy: policy });
  });
});
