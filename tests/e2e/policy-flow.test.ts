/**
 * Issue 6 end to end, with real node processes: propose → policy → two approvals → threshold
 * signature → audit verifies. The server runs in-process, three `coffer node` processes hold
 * a 2-of-3 vault made by DKG whose genesis approvers are two admins' API-key approval keys
 * (owner and Alice, quorum 2). The admins publish policy version 2 (both sign its hash); an
 * initiator then proposes requests that the policy blocks, allows outright, or sends to two
 * admin approvals. The nodes receive evidence v2 and recompute the decision from the signed
 * version themselves (packages/node APPROVALS.md); noble verifies every signature; a blocked
 * request never reaches the nodes; the audit chain verifies and tells the whole story.
 */
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type {
  AuditEntry,
  AuditVerification,
  CreatedApiKey,
  CreatedInvite,
  PolicyDocument,
  PolicyVersion,
  SignatureRequest,
  Vault,
} from '@coffer/protocol';
import { CofferClient } from '@coffer/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerCluster, pollUntil } from './support/server-cluster.js';

const STEP_TIMEOUT = 120_000;
const EXCHANGE = '0x' + 'ee'.repeat(20);
const SANCTIONED = '0x' + 'dd'.repeat(20);

interface Approver {
  readonly keyId: string;
  readonly secret: string;
  readonly secretKey: Uint8Array;
}

const signWith = (approver: Approver, payload: string) => ({
  approverKeyId: approver.keyId,
  scheme: 'ed25519' as const,
  signature: bytesToHex(ed25519.sign(utf8ToBytes(payload), approver.secretKey)),
});

describe('issue 6 end to end: governed policy, approvals and threshold signatures', () => {
  let cluster: ServerCluster;
  let vault: Vault;
  let ownerKey: Approver;
  let aliceKey: Approver;
  let initiator: CofferClient;
  const password = 'correct horse battery staple';

  /** Invites a person, who registers through the SDK over real HTTP. */
  async function person(email: string, role: 'admin' | 'initiator'): Promise<CofferClient> {
    const invite = await cluster.api<CreatedInvite>('POST', `/v1/orgs/${cluster.orgId}/invites`, {
      email,
      role,
    });
    expect(invite.status).toBe(201);
    const client = new CofferClient({ baseUrl: cluster.server.url });
    await client.register({ email, password, displayName: email, inviteToken: invite.body.token });
    return client;
  }

  async function approvalKeyOf(create: (body: object) => Promise<CreatedApiKey>) {
    const key = ed25519.keygen();
    const created = await create({
      name: 'approvals',
      role: 'admin',
      approvalPublicKey: bytesToHex(key.publicKey),
    });
    return { keyId: created.id, secret: created.secret, secretKey: key.secretKey };
  }

  const requestsUrl = () => `/v1/orgs/${cluster.orgId}/vaults/${vault.id}/signature-requests`;

  async function waitSettled(request: SignatureRequest): Promise<SignatureRequest> {
    return pollUntil(
      async () =>
        (await cluster.api<SignatureRequest>('GET', `${requestsUrl()}/${request.id}`)).body,
      (r) => ['signed', 'failed', 'rejected', 'expired'].includes(r.status),
      90_000,
      `request ${request.id} to settle`,
    );
  }

  const transfer = (amount: string, digest: string, to = EXCHANGE) => ({
    version: 1 as const,
    kind: 'transfer' as const,
    chain: 'ethereum',
    asset: 'ETH',
    amount,
    source: { vaultId: vault.id },
    destination: { address: to },
    digests: [digest],
  });

  beforeAll(async () => {
    cluster = await ServerCluster.create(['alpha', 'bravo', 'charlie']);
    await cluster.enrolAll();
    await cluster.startAll();
    ownerKey = await approvalKeyOf(async (body) => {
      const created = await cluster.api<CreatedApiKey>(
        'POST',
        `/v1/orgs/${cluster.orgId}/api-keys`,
        body,
      );
      expect(created.status).toBe(201);
      return created.body;
    });
    const alice = await person('alice@example.org', 'admin');
    aliceKey = await approvalKeyOf((body) =>
      alice.createApiKey(cluster.orgId, body as Parameters<CofferClient['createApiKey']>[1]),
    );
    initiator = await person('ivan@example.org', 'initiator');
  }, STEP_TIMEOUT);

  afterAll(async () => {
    await cluster?.close();
  }, STEP_TIMEOUT);

  it(
    'creates a 2-of-3 vault by DKG whose genesis approvers are the two admins',
    async () => {
      const created = await cluster.api<Vault>('POST', `/v1/orgs/${cluster.orgId}/vaults`, {
        name: 'Treasury',
        structure: '2of3',
        nodes: cluster.nodes.map((n) => n.identity.nodeId),
        schemes: ['ecdsa-secp256k1', 'frost-ed25519'],
        approvalQuorum: 2,
      });
      expect(created.status).toBe(202);
      vault = await pollUntil(
        async () =>
          (await cluster.api<Vault>('GET', `/v1/orgs/${cluster.orgId}/vaults/${created.body.id}`))
            .body,
        (v) => v.status !== 'creating',
        90_000,
        'the vault keys',
      );
      expect(vault.status).toBe('active');
      expect(vault.genesis.policy.approvers.map((a) => a.keyId).sort()).toEqual(
        [ownerKey.keyId, aliceKey.keyId].sort(),
      );
    },
    STEP_TIMEOUT,
  );

  it(
    'the admins publish policy version 2, each signing its hash',
    async () => {
      const policy: PolicyDocument = {
        version: 1,
        policyVersion: 2,
        groups: [
          { id: 'admins', name: 'Admins', members: { roles: ['owner', 'admin'] }, quorum: 2 },
        ],
        addressBook: [{ id: 'exchange', label: 'Exchange', chain: 'ethereum', address: EXCHANGE }],
        rules: [
          {
            id: 'sanctions',
            name: 'Sanctioned destinations',
            conditions: { destination: { type: 'allow-list', addresses: [SANCTIONED] } },
            action: { type: 'block' },
          },
          {
            id: 'small',
            name: 'Small transfers to the address book',
            conditions: { destination: { type: 'address-book' }, amount: { max: '100' } },
            action: { type: 'allow' },
          },
          {
            id: 'rest',
            name: 'Everything else: two admins',
            conditions: {},
            action: {
              type: 'require-approvals',
              stages: [{ type: 'approvers', requirement: { group: 'admins' } }],
            },
          },
        ],
      };
      const proposed = await cluster.api<PolicyVersion>(
        'POST',
        `/v1/orgs/${cluster.orgId}/policy/versions`,
        { policy },
      );
      expect(proposed.status).toBe(201);
      let version = proposed.body;
      for (const key of [ownerKey, aliceKey]) {
        const response = await cluster.apiWithKey<PolicyVersion>(
          key.secret,
          'POST',
          `/v1/orgs/${cluster.orgId}/policy/versions/2/approvals`,
          signWith(key, version.approvalPayload),
        );
        expect(response.status).toBe(200);
        version = response.body;
      }
      expect(version).toMatchObject({
        status: 'published',
        vaults: [{ vaultId: vault.id, accepted: true }],
      });
    },
    STEP_TIMEOUT,
  );

  it(
    'a small transfer to the address book is allowed: the nodes sign it with no approval',
    async () => {
      const digest = bytesToHex(randomBytes(32));
      const request = await initiator.createSignatureRequest(cluster.orgId, vault.id, {
        scheme: 'ecdsa-secp256k1',
        intent: transfer('100', digest),
      });
      expect(request).toMatchObject({ status: 'approved', decision: { ruleId: 'small' } });
      const done = await waitSettled(request);
      expect(done.failure).toBeNull();
      expect(done.status).toBe('signed');
      const key = vault.keys.find((k) => k.scheme === 'ecdsa-secp256k1')!.publicKey!;
      expect(
        secp256k1.verify(hexToBytes(done.result!.signature), hexToBytes(digest), hexToBytes(key), {
          prehash: false,
        }),
      ).toBe(true);
    },
    STEP_TIMEOUT,
  );

  it(
    'a large transfer needs two admins: after both approve, FROST signs; noble verifies',
    async () => {
      const message = bytesToHex(utf8ToBytes('pay 5000 ETH to the exchange'));
      const request = await initiator.createSignatureRequest(cluster.orgId, vault.id, {
        scheme: 'frost-ed25519',
        intent: transfer('5000', message),
      });
      expect(request).toMatchObject({ status: 'pending_approval', decision: { ruleId: 'rest' } });
      const first = await cluster.apiWithKey<SignatureRequest>(
        ownerKey.secret,
        'POST',
        `${requestsUrl()}/${request.id}/approvals`,
        signWith(ownerKey, request.approvalPayload),
      );
      expect(first.body).toMatchObject({ status: 'pending_approval' });
      const second = await cluster.apiWithKey<SignatureRequest>(
        aliceKey.secret,
        'POST',
        `${requestsUrl()}/${request.id}/approvals`,
        signWith(aliceKey, request.approvalPayload),
      );
      expect(second.body.status).toBe('approved');
      const done = await waitSettled(request);
      expect(done.failure).toBeNull();
      expect(done.status).toBe('signed');
      const key = vault.keys.find((k) => k.scheme === 'frost-ed25519')!.publicKey!;
      expect(
        ed25519.verify(hexToBytes(done.result!.signature), hexToBytes(message), hexToBytes(key)),
      ).toBe(true);
    },
    STEP_TIMEOUT,
  );

  it(
    'a transfer to a sanctioned address is rejected by the policy and never signed',
    async () => {
      const request = await initiator.createSignatureRequest(cluster.orgId, vault.id, {
        scheme: 'ecdsa-secp256k1',
        intent: transfer('1', bytesToHex(randomBytes(32)), SANCTIONED),
      });
      expect(request).toMatchObject({
        status: 'rejected',
        decision: { outcome: 'block', ruleId: 'sanctions' },
        result: null,
      });
    },
    STEP_TIMEOUT,
  );

  it(
    'the audit chain verifies and tells the story',
    async () => {
      const verified = await cluster.api<AuditVerification>(
        'GET',
        `/v1/orgs/${cluster.orgId}/audit/verify`,
      );
      expect(verified.body).toMatchObject({ ok: true, problems: [] });
      const page = await cluster.api<{ entries: AuditEntry[] }>(
        'GET',
        `/v1/orgs/${cluster.orgId}/audit?limit=500`,
      );
      const actions = page.body.entries.map((e) => e.action);
      for (const action of [
        'policy.proposed',
        'policy.approved',
        'policy.published',
        'signature.requested',
        'signature.judged',
        'signature.approved',
        'signature.signed',
        'signature.rejected',
      ]) {
        expect(actions).toContain(action);
      }
    },
    STEP_TIMEOUT,
  );
});
