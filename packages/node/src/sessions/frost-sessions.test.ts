/**
 * Sessions over the in-process relay with three nodes, each with its own keystore and
 * durable ledger: DKG then FROST signing (2-of-3 and a threshold tree), refusal without
 * evidence, a peer whose signature share is tampered (abort naming it), a peer that never
 * answers (timeout naming it), and a crash mid-signing: the other parties finish with
 * another authorised quorum in a new session while the restarted node never reuses its nonce.
 */
import { verifySignature, hexToBytes, type FrostSuiteName } from '@coffer/crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalPolicy } from '../approvals/index.js';
import {
  Cluster,
  approveWithApiKeys,
  freshSessionId,
  makeApiKeyApprover,
} from './cluster.testkit.js';
import { frostNonceLedgerId, frostSignDriver, type FrostSignOutput } from './drivers/frost-sign.js';
import { SessionAborted } from './errors.js';
import { loadSessionRecord } from './session-store.js';
import type { ProtocolDriver } from './types.js';

const approvers = [makeApiKeyApprover('alice-key'), makeApiKeyApprover('bob-key')];
const policy: ApprovalPolicy = {
  version: 1,
  vaultId: 'vault-1',
  policyVersion: 1,
  quorum: 2,
  approvers: approvers.map((a) => a.enrolment),
};
const NODES = ['node-a', 'node-b', 'node-c'];
const PARTIES: Record<string, string> = { p1: 'node-a', p2: 'node-b', p3: 'node-c' };

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

async function runDkg(
  c: Cluster,
  group: 'secp256k1' | 'ed25519',
  structure: string,
  participants = PARTIES,
) {
  return c.generateKey('dkg', { group, structure }, participants);
}

function signRequest(
  keyId: string,
  suite: FrostSuiteName,
  message: string,
  participants: Record<string, string>,
) {
  return {
    sessionId: freshSessionId(),
    protocol: 'frost-sign' as const,
    params: { suite, keyId, message },
    participants,
    evidence: approveWithApiKeys(policy, [message], approvers),
  };
}

function pick(
  parties: readonly string[],
  all: Record<string, string> = PARTIES,
): Record<string, string> {
  return Object.fromEntries(parties.map((p) => [p, all[p]!]));
}

describe('DKG then FROST signing through the session runner', () => {
  it('signs 2-of-3 with frost-ed25519, frost-secp256k1 and frost-taproot', async () => {
    cluster = await Cluster.start(NODES, { approvalPolicy: policy });
    const c = cluster;
    const ed = await runDkg(c, 'ed25519', '2of(p1,p2,p3)');
    const k1 = await runDkg(c, 'secp256k1', '2of(p1,p2,p3)');
    for (const [key, suite] of [
      [ed, 'frost-ed25519'],
      [k1, 'frost-secp256k1'],
      [k1, 'frost-taproot'],
    ] as const) {
      const message = 'ab'.repeat(32);
      const request = signRequest(key.keyId, suite, message, pick(['p1', 'p3']));
      const [a, cc] = await Promise.all([
        c.node('node-a').runner.run<FrostSignOutput>(request),
        c.node('node-c').runner.run<FrostSignOutput>(request),
      ]);
      expect(a.output).toEqual(cc.output);
      expect(
        verifySignature(
          suite,
          hexToBytes(a.output.signature),
          hexToBytes(message),
          hexToBytes(a.output.verifyingKey),
        ),
      ).toBe(true);
    }
  });

  it('runs a tree structure: 2 of (p1, 1 of (p2, p3))', async () => {
    cluster = await Cluster.start(NODES, { approvalPolicy: policy });
    const key = await runDkg(cluster, 'ed25519', '2of(p1,1of(p2,p3))');
    const message = '0f'.repeat(40);
    const request = signRequest(key.keyId, 'frost-ed25519', message, pick(['p1', 'p2']));
    const [a] = await Promise.all(
      ['node-a', 'node-b'].map((n) => cluster!.node(n).runner.run<FrostSignOutput>(request)),
    );
    expect(
      verifySignature(
        'frost-ed25519',
        hexToBytes(a!.output.signature),
        hexToBytes(message),
        hexToBytes(key.publicKey),
      ),
    ).toBe(true);
    // {p2, p3} is not authorised in this tree: refused before any nonce is drawn.
    const bad = signRequest(key.keyId, 'frost-ed25519', message, pick(['p2', 'p3']));
    await expect(cluster.node('node-b').runner.run(bad)).rejects.toMatchObject({
      code: 'PROTOCOL_FAULT',
      reason: 'UNAUTHORIZED_SET',
    });
  });

  it('aborts naming the peer whose signature share was tampered', async () => {
    cluster = await Cluster.start(NODES, { approvalPolicy: policy });
    const key = await runDkg(cluster, 'secp256k1', '2of(p1,p2,p3)');
    const tampering: ProtocolDriver = {
      ...(frostSignDriver as ProtocolDriver),
      async step(ctx, state, inbound) {
        const out = await frostSignDriver.step(ctx, state, inbound);
        if ('done' in out) return out;
        return {
          ...out,
          outbound: out.outbound.map((m) => {
            const msg = JSON.parse(m.payload) as { signatureShare: string };
            const flipped = (BigInt(`0x${msg.signatureShare}`) + 1n).toString(16).padStart(64, '0');
            return { ...m, payload: JSON.stringify({ ...msg, signatureShare: flipped }) };
          }),
        };
      },
    };
    cluster.reconfigure('node-b', { approvalPolicy: policy, drivers: { 'frost-sign': tampering } });
    const request = signRequest(key.keyId, 'frost-secp256k1', 'cd'.repeat(32), pick(['p1', 'p2']));
    const [honest] = await Promise.allSettled([
      cluster.node('node-a').runner.run(request),
      cluster.node('node-b').runner.run(request),
    ]);
    expect(honest.status).toBe('rejected');
    const reason = (honest as PromiseRejectedResult).reason as SessionAborted;
    expect(reason).toBeInstanceOf(SessionAborted);
    expect(reason).toMatchObject({
      code: 'PROTOCOL_FAULT',
      reason: 'INVALID_SIGNATURE_SHARE',
      culprits: ['p2'],
    });
    expect(
      await loadSessionRecord(cluster.node('node-a').keystore, request.sessionId),
    ).toBeUndefined();
  });

  it('times out naming the peer that never answers', async () => {
    cluster = await Cluster.start(NODES, { approvalPolicy: policy, roundTimeoutMs: 300 });
    const key = await runDkg(cluster, 'ed25519', '2of(p1,p2,p3)');
    const request = signRequest(key.keyId, 'frost-ed25519', 'ee'.repeat(32), pick(['p1', 'p3']));
    await expect(cluster.node('node-a').runner.run(request)).rejects.toMatchObject({
      code: 'TIMEOUT',
      culprits: ['p3'],
    });
  });

  it('refuses to join a signing session without evidence and logs the refusal', async () => {
    cluster = await Cluster.start(NODES, { approvalPolicy: policy });
    const key = await runDkg(cluster, 'ed25519', '2of(p1,p2,p3)');
    const { evidence, ...request } = signRequest(
      key.keyId,
      'frost-ed25519',
      'aa'.repeat(32),
      pick(['p1', 'p2']),
    );
    expect(evidence.approvals).toHaveLength(2);
    await expect(cluster.node('node-a').runner.run(request)).rejects.toMatchObject({
      code: 'EVIDENCE_REFUSED',
      reason: 'EVIDENCE_MISSING',
    });
    const line = cluster.node('node-a').logs.find((l) => l.reason === 'EVIDENCE_MISSING');
    expect(line).toMatchObject({ level: 40, sessionId: request.sessionId, protocol: 'frost-sign' });
    expect(JSON.stringify(cluster.node('node-a').logs)).not.toContain('secretShare');
  });

  it('a node killed mid-signing never reuses its nonce; the others finish with another quorum', async () => {
    cluster = await Cluster.start(NODES, { approvalPolicy: policy, roundTimeoutMs: 1_000 });
    const c = cluster;
    const key = await runDkg(c, 'secp256k1', '2of(p1,p2,p3)');
    const message = '77'.repeat(32);
    // node-c freezes right after computing its signature share (nonce consumed, nothing sent).
    let frozen = false;
    c.reconfigure('node-c', {
      approvalPolicy: policy,
      hooks: {
        afterStep: ({ round }) => {
          if (round !== 1) return;
          frozen = true;
          return new Promise<void>(() => undefined);
        },
      },
    });
    const first = signRequest(key.keyId, 'frost-secp256k1', message, pick(['p1', 'p3']));
    const stuck = c.node('node-c').runner.run(first);
    void stuck.catch(() => undefined);
    await expect(c.node('node-a').runner.run(first)).rejects.toMatchObject({
      code: 'TIMEOUT',
      culprits: ['p3'],
    });
    expect(frozen).toBe(true);
    const persisted = await loadSessionRecord(c.node('node-c').keystore, first.sessionId);
    expect(persisted).toMatchObject({ round: 0, protocol: 'frost-sign' });
    expect(persisted?.pendingInbound).toHaveLength(1);
    await c.crash('node-c');

    // Another authorised quorum, {p1, p2}, in a new session.
    const second = { ...signRequest(key.keyId, 'frost-secp256k1', message, pick(['p1', 'p2'])) };
    const [a] = await Promise.all(
      ['node-a', 'node-b'].map((n) => c.node(n).runner.run<FrostSignOutput>(second)),
    );
    expect(
      verifySignature(
        'frost-secp256k1',
        hexToBytes(a!.output.signature),
        hexToBytes(message),
        hexToBytes(a!.output.verifyingKey),
      ),
    ).toBe(true);

    // node-c restarts: re-driving the persisted round is refused by the durable ledger.
    const restarted = await c.restart('node-c', { approvalPolicy: policy });
    await expect(restarted.runner.resume(first)).rejects.toMatchObject({ code: 'STATE_CONSUMED' });
    expect(() => restarted.ledger.consume(frostNonceLedgerId(first.sessionId, 'p3'))).toThrow(
      /already used/,
    );
    expect(await loadSessionRecord(restarted.keystore, first.sessionId)).toBeUndefined();
    await expect(restarted.runner.run(first)).rejects.toMatchObject({ code: 'SESSION_REPLAYED' });
  });
});
