/**
 * Vault genesis through the session runner (approvals/genesis.ts; ARCHITECTURE.md "The trust
 * chain for approvals", step 1): three in-process nodes whose configured approval policy
 * belongs to another approver. A key generated with a genesis is signed only on the evidence
 * of the genesis approvers (the configured approver is refused); nodes given different genesis
 * documents cannot finish a DKG; a key generated without a genesis still uses the configured
 * policy; DKLs23 keys carry their genesis the same way.
 */
import { hexToBytes, verifySignature } from '@coffer/crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genesisHash, type ApprovalPolicy, type VaultGenesis } from '../approvals/index.js';
import {
  Cluster,
  approveWithApiKeys,
  freshSessionId,
  makeApiKeyApprover,
} from './cluster.testkit.js';
import type { DkgSessionOutput } from './drivers/dkg.js';
import type { Dkls23SignOutput } from './drivers/dkls23-sign.js';
import type { FrostSignOutput } from './drivers/frost-sign.js';
import { SessionAborted } from './errors.js';
import { loadKeyGenesis } from './session-store.js';

const operator = makeApiKeyApprover('operator-key');
const configured: ApprovalPolicy = {
  version: 1,
  vaultId: 'vault-configured',
  policyVersion: 1,
  quorum: 1,
  approvers: [operator.enrolment],
};
const admin = makeApiKeyApprover('admin-key');

function genesisFor(vaultId: string, approver = admin): VaultGenesis {
  return {
    v: 1,
    vaultId,
    orgId: 'org-genesis',
    policy: { version: 1, vaultId, policyVersion: 1, quorum: 1, approvers: [approver.enrolment] },
  };
}

const NODES = ['node-a', 'node-b', 'node-c'];
const PARTIES: Record<string, string> = { p1: 'node-a', p2: 'node-b', p3: 'node-c' };
const SIGNERS: Record<string, string> = { p1: 'node-a', p3: 'node-c' };

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.start(NODES, { approvalPolicy: configured });
});
afterAll(async () => {
  await cluster.stop();
});

async function frostSign(keyId: string, message: string, evidence: unknown) {
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

function abortOf(outcome: PromiseSettledResult<unknown>): SessionAborted {
  if (outcome.status !== 'rejected') throw new Error('expected the session to abort');
  expect(outcome.reason).toBeInstanceOf(SessionAborted);
  return outcome.reason as SessionAborted;
}

describe('vault genesis', () => {
  const genesis = genesisFor('vault-genesis');
  let key: DkgSessionOutput;

  beforeAll(async () => {
    key = await cluster.generateKey(
      'dkg',
      { group: 'ed25519', structure: '2of3', genesis },
      PARTIES,
    );
  });

  it('every node stores the genesis with its share and reports its hash', async () => {
    expect(key.genesisHash).toBe(genesisHash(genesis));
    for (const node of NODES) {
      expect(await loadKeyGenesis(cluster.node(node).keystore, key.keyId)).toEqual(genesis);
    }
  });

  it('signs on the evidence of a genesis approver', async () => {
    const message = 'ab'.repeat(40);
    const evidence = approveWithApiKeys(genesis.policy, [message], [admin]);
    const outcomes = await frostSign(key.keyId, message, evidence);
    const output = outcomes.map((o) => {
      if (o.status !== 'fulfilled') throw o.reason as Error;
      return o.value.output;
    })[0]!;
    expect(
      verifySignature(
        'frost-ed25519',
        hexToBytes(output.signature),
        hexToBytes(message),
        hexToBytes(key.publicKey),
      ),
    ).toBe(true);
  });

  it('refuses evidence by an approver outside the genesis, even one the node configures', async () => {
    const message = 'cd'.repeat(40);
    const foreign = { ...configured, vaultId: genesis.vaultId };
    const evidence = approveWithApiKeys(foreign, [message], [operator]);
    for (const outcome of await frostSign(key.keyId, message, evidence)) {
      const aborted = abortOf(outcome);
      expect(aborted.code).toBe('EVIDENCE_REFUSED');
      expect(aborted.reason).toBe('UNKNOWN_APPROVER');
    }
    const configuredEvidence = approveWithApiKeys(configured, [message], [operator]);
    for (const outcome of await frostSign(key.keyId, message, configuredEvidence)) {
      expect(abortOf(outcome).reason).toBe('VAULT_MISMATCH');
    }
  });

  it('aborts a DKG whose nodes were given different genesis documents', async () => {
    const other = genesisFor('vault-genesis', operator);
    const sessionId = freshSessionId();
    const outcomes = await Promise.allSettled(
      Object.entries(PARTIES).map(([party, node]) =>
        cluster.node(node).runner.run({
          sessionId,
          protocol: 'dkg',
          params: {
            group: 'ed25519',
            structure: '2of3',
            genesis: party === 'p3' ? other : genesis,
          },
          participants: PARTIES,
        }),
      ),
    );
    const aborts = outcomes.map(abortOf);
    expect(aborts.map((a) => a.code)).toEqual([
      'PROTOCOL_FAULT',
      'PROTOCOL_FAULT',
      'PROTOCOL_FAULT',
    ]);
    // p1 and p2 blame p3; p3 blames the others (the first mismatching sender it meets).
    expect(aborts[0]!.culprits).toEqual(['p3']);
    expect(aborts[1]!.culprits).toEqual(['p3']);
    expect(aborts[2]!.culprits.length).toBeGreaterThan(0);
    expect(aborts[2]!.culprits.every((c) => c === 'p1' || c === 'p2')).toBe(true);
  });

  it('refuses a malformed genesis before the DKG starts', async () => {
    const bad = { ...genesis, policy: { ...genesis.policy, vaultId: 'another-vault' } };
    await expect(
      cluster.node('node-a').runner.run({
        sessionId: freshSessionId(),
        protocol: 'dkg',
        params: { group: 'ed25519', structure: '2of3', genesis: bad },
        participants: PARTIES,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('a key generated without a genesis is still judged by the configured policy', async () => {
    const plain = await cluster.generateKey(
      'dkg',
      { group: 'ed25519', structure: '2of3' },
      PARTIES,
    );
    expect(plain.genesisHash).toBeUndefined();
    const message = 'ef'.repeat(16);
    const ok = await frostSign(
      plain.keyId,
      message,
      approveWithApiKeys(configured, [message], [operator]),
    );
    expect(ok.every((o) => o.status === 'fulfilled')).toBe(true);
    const byAdmin = approveWithApiKeys(genesis.policy, [message], [admin]);
    for (const outcome of await frostSign(plain.keyId, message, byAdmin)) {
      expect(abortOf(outcome).reason).toBe('VAULT_MISMATCH');
    }
  });

  it('a DKLs23 key carries its genesis into ECDSA signing', async () => {
    const ecdsaGenesis = genesisFor('vault-ecdsa');
    const ecdsaKey = await cluster.generateKey(
      'dkls23-keygen',
      { structure: '2of3', genesis: ecdsaGenesis },
      PARTIES,
    );
    expect(ecdsaKey.genesisHash).toBe(genesisHash(ecdsaGenesis));
    const digest = '5a'.repeat(32);
    const sign = (evidence: unknown) => {
      const request = {
        sessionId: freshSessionId(),
        protocol: 'dkls23-sign' as const,
        params: { keyId: ecdsaKey.keyId, digest },
        participants: SIGNERS,
        evidence,
      };
      return Promise.allSettled(
        Object.values(SIGNERS).map((n) => cluster.node(n).runner.run<Dkls23SignOutput>(request)),
      );
    };
    const refused = await sign(
      approveWithApiKeys({ ...configured, vaultId: 'vault-ecdsa' }, [digest], [operator]),
    );
    for (const outcome of refused) expect(abortOf(outcome).reason).toBe('UNKNOWN_APPROVER');
    const signed = await sign(approveWithApiKeys(ecdsaGenesis.policy, [digest], [admin]));
    const output = signed.map((o) => {
      if (o.status !== 'fulfilled') throw o.reason as Error;
      return o.value.output;
    })[0]!;
    expect(
      secp256k1.verify(
        hexToBytes(output.signature),
        hexToBytes(digest),
        hexToBytes(ecdsaKey.publicKey),
        {
          prehash: false,
        },
      ),
    ).toBe(true);
  });
});

describe('nodes that serve named organisations', () => {
  let served: Cluster;
  beforeAll(async () => {
    served = await Cluster.start(NODES, {
      approvalPolicy: configured,
      organisations: ['org-genesis'],
    });
  });
  afterAll(async () => {
    await served.stop();
  });

  const keygen = (params: object) =>
    Promise.allSettled(
      NODES.map((node) =>
        served.node(node).runner.run({
          sessionId: freshSessionId(),
          protocol: 'dkg',
          params: { group: 'ed25519', structure: '2of3', ...params },
          participants: PARTIES,
        }),
      ),
    );

  it('refuse key generation for another organisation, or without a genesis', async () => {
    const foreign = { ...genesisFor('vault-foreign'), orgId: 'org-other' };
    for (const outcome of await keygen({ genesis: foreign })) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({
        code: 'INVALID_REQUEST',
        message: expect.stringMatching(/does not serve organisation org-other/) as string,
      });
    }
    for (const outcome of await keygen({})) {
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({ code: 'INVALID_REQUEST' });
    }
    const line = served.node('node-a').logs.find((l) => l.orgId === 'org-other');
    expect(line).toMatchObject({ msg: 'key generation refused: organisation not served' });
  });

  it('generate keys for the organisation they serve', async () => {
    const key = await served.generateKey(
      'dkg',
      { group: 'ed25519', structure: '2of3', genesis: genesisFor('vault-served') },
      PARTIES,
    );
    expect(key.genesisHash).toBe(genesisHash(genesisFor('vault-served')));
  });
});
