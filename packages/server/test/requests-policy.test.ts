/**
 * Requests under governed policy (issue 6, items 1–6) over app.inject: a policy version is
 * proposed, approved by the admin quorum (one per person, signed over its hash) and published;
 * the dry run answers what creation does and why; requests are judged at creation — blocked,
 * allowed, or waiting for approvals in sequential stages, with velocity over earlier requests
 * — and move through the state machine with signed approvals and rejections, cancellation,
 * idempotency keys and expiry. Bad paths: wrong version, unknown or forged approvals, the
 * initiator deciding on their own request, approvers the request is not waiting for, a vault
 * whose genesis approvers have not approved the version.
 */
import type { PolicyDocument, PolicyVersion, SignatureRequest, Vault } from '@coffer/protocol';
import { ed25519 } from '@noble/curves/ed25519.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enrolTestNodes,
  insertApprovalApiKey,
  type ApprovalApiKey,
} from './support/node-identities.js';
import {
  bootstrapOwner,
  createTestApp,
  newMember,
  type TestApp,
  type TestClient,
} from './support/test-app.js';
import { activeTestVault } from './support/vaults.js';
import { insertTestPasskey, passkeyAssertion, testPasskey } from './support/test-passkey.js';

let t: TestApp;
let owner: TestClient;
let secondAdmin: TestClient;
let teller: TestClient;
let initiator: TestClient;
let orgId: string;
let nodes: string[];
let ownersKey: ApprovalApiKey;
let adminsKey: ApprovalApiKey;
let tellersKey: ApprovalApiKey;
let initiatorsKey: ApprovalApiKey;
let vault: Vault;
const ownersPasskey = testPasskey('b3duZXJzLXBob25l');

const SANCTIONED = '0x' + 'dd'.repeat(20);
const EXCHANGE = '0x' + 'ee'.repeat(20);

const activeVault = (name: string, approvalQuorum: number) =>
  activeTestVault(t, owner, { orgId, nodes, name, approvalQuorum });

function policyDocument(policyVersion: number): PolicyDocument {
  return {
    version: 1,
    policyVersion,
    groups: [
      { id: 'tellers', name: 'Tellers', members: { users: [teller.userId] }, quorum: 1 },
      { id: 'managers', name: 'Managers', members: { roles: ['owner', 'admin'] }, quorum: 1 },
    ],
    addressBook: [{ id: 'kraken', label: 'Exchange', chain: 'ethereum', address: EXCHANGE }],
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
        conditions: {
          destination: { type: 'address-book' },
          amount: { max: '1000' },
          velocity: { windowSeconds: 3600, scope: 'initiator', max: '1500' },
        },
        action: { type: 'allow' },
      },
      {
        id: 'two-stage',
        name: 'A teller, then a manager',
        conditions: {},
        action: {
          type: 'require-approvals',
          stages: [
            { type: 'approvers', name: 'Teller', requirement: { group: 'tellers' } },
            { type: 'approvers', name: 'Manager', requirement: { group: 'managers' } },
          ],
        },
      },
    ],
  };
}

const transfer = (amount: string, to = EXCHANGE, digest = 'ab'.repeat(32)) => ({
  version: 1,
  kind: 'transfer',
  chain: 'ethereum',
  asset: 'ETH',
  amount,
  source: { vaultId: vault.id },
  destination: { address: to },
  digests: [digest],
});

const sign = (payload: string, key: ApprovalApiKey) => ({
  approverKeyId: key.id,
  scheme: 'ed25519' as const,
  signature: Buffer.from(ed25519.sign(utf8ToBytes(payload), key.approvalSecretKey)).toString('hex'),
});

const requestsUrl = (v: Vault = vault) => `/v1/orgs/${orgId}/vaults/${v.id}/signature-requests`;

async function propose(client: TestClient, document: PolicyDocument) {
  return client.post(`/v1/orgs/${orgId}/policy/versions`, { policy: document });
}

async function decideVersion(
  version: PolicyVersion,
  key: ApprovalApiKey,
  decision: 'approve' | 'reject' = 'approve',
) {
  const payload = decision === 'approve' ? version.approvalPayload : version.rejectionPayload;
  return owner.post(
    `/v1/orgs/${orgId}/policy/versions/${version.policyVersion}/${decision === 'approve' ? 'approvals' : 'rejections'}`,
    sign(payload, key),
  );
}

async function createRequest(client: TestClient, body: object, v: Vault = vault) {
  return client.post(requestsUrl(v), { scheme: 'ecdsa-secp256k1', ...body });
}

async function decideRequest(
  request: SignatureRequest,
  key: ApprovalApiKey,
  decision: 'approve' | 'reject' = 'approve',
) {
  const payload = decision === 'approve' ? request.approvalPayload : request.rejectionPayload;
  return owner.post(
    `${requestsUrl()}/${request.id}/${decision === 'approve' ? 'approvals' : 'rejections'}`,
    sign(payload, key),
  );
}

beforeAll(async () => {
  t = await createTestApp({ registration: 'open' });
  ({ owner, orgId } = await bootstrapOwner(t.app));
  secondAdmin = await newMember(t, orgId, 'second-admin@example.org', 'admin');
  teller = await newMember(t, orgId, 'teller@example.org', 'approver');
  initiator = await newMember(t, orgId, 'initiator@example.org', 'initiator');
  ownersKey = await insertApprovalApiKey(t.db, { orgId, createdBy: owner.userId });
  adminsKey = await insertApprovalApiKey(t.db, { orgId, createdBy: secondAdmin.userId });
  tellersKey = await insertApprovalApiKey(t.db, {
    orgId,
    createdBy: teller.userId,
    role: 'approver',
  });
  initiatorsKey = await insertApprovalApiKey(t.db, {
    orgId,
    createdBy: initiator.userId,
    role: 'initiator',
  });
  await insertTestPasskey(t.db, ownersPasskey, owner.userId);
  nodes = (await enrolTestNodes(owner, orgId, 3)).map((n) => n.identity.nodeId);
  vault = await activeVault('Treasury', 2);
});
afterAll(async () => t.close());

describe('requests under the genesis policy (nothing published)', () => {
  it('are judged by the vault genesis quorum, and the dry run says so', async () => {
    const dry = await initiator.post(`/v1/orgs/${orgId}/policy/dry-run`, {
      intent: transfer('10'),
    });
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ policyVersion: 1, outcome: 'require-approvals' });
    const created = await createRequest(initiator, { intent: transfer('10') });
    expect(created.statusCode).toBe(201);
    expect(created.json<SignatureRequest>()).toMatchObject({
      status: 'pending_approval',
      policyVersion: 1,
      quorum: 2,
      initiator: { kind: 'user', id: initiator.userId, role: 'initiator' },
      progress: { state: 'pending' },
    });
  });

  it('end with one genesis approver’s signed rejection', async () => {
    const request = (
      await createRequest(initiator, { intent: transfer('11') })
    ).json<SignatureRequest>();
    const rejected = await decideRequest(request, ownersKey, 'reject');
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json<SignatureRequest>()).toMatchObject({
      status: 'rejected',
      progress: { state: 'rejected' },
      approvals: [{ approverKeyId: ownersKey.id, decision: 'reject', principal: owner.userId }],
    });
    // A rejection signed over the approval payload is not a rejection.
    const other = (
      await createRequest(initiator, { intent: transfer('12') })
    ).json<SignatureRequest>();
    const forged = await owner.post(
      `${requestsUrl()}/${other.id}/rejections`,
      sign(other.approvalPayload, ownersKey),
    );
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.message).toMatch(/INVALID_SIGNATURE/);
  });

  it('count parallel approvals once each and queue one signing job', async () => {
    const request = (
      await createRequest(initiator, { intent: transfer('13') })
    ).json<SignatureRequest>();
    const [a, b] = await Promise.all([
      decideRequest(request, ownersKey),
      decideRequest(request, adminsKey),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const final = (await owner.get(`${requestsUrl()}/${request.id}`)).json<SignatureRequest>();
    expect(final.status).toBe('approved');
    const jobs = await t.db.query('SELECT id FROM jobs WHERE subject = $1', [request.id]);
    expect(jobs).toHaveLength(1);
  });
});

describe('idempotency, cancellation and expiry', () => {
  it('returns the first request for a repeated Idempotency-Key, 409 for another body', async () => {
    const headers = { 'idempotency-key': 'payout-2026-11-22-1' };
    const body = { scheme: 'ecdsa-secp256k1', intent: transfer('20') };
    const [first, second] = await Promise.all([
      initiator.request({ method: 'POST', url: requestsUrl(), payload: body, headers }),
      initiator.request({ method: 'POST', url: requestsUrl(), payload: body, headers }),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 201]);
    expect(first.json<SignatureRequest>().id).toBe(second.json<SignatureRequest>().id);
    const other = await initiator.request({
      method: 'POST',
      url: requestsUrl(),
      payload: { ...body, intent: transfer('21') },
      headers,
    });
    expect(other.statusCode).toBe(409);
    expect(other.json().error.message).toMatch(/Idempotency-Key was used for a different request/);
    const bad = await initiator.request({
      method: 'POST',
      url: requestsUrl(),
      payload: body,
      headers: { 'idempotency-key': 'spaces are not allowed' },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('lets the initiator or an admin cancel before signing, nobody else', async () => {
    const request = (
      await createRequest(initiator, { intent: transfer('30') })
    ).json<SignatureRequest>();
    const url = `${requestsUrl()}/${request.id}/cancel`;
    expect((await teller.post(url)).statusCode).toBe(403);
    const cancelled = await initiator.post(url);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json<SignatureRequest>().status).toBe('cancelled');
    expect((await initiator.post(url)).statusCode).toBe(409);
    expect((await decideRequest(request, ownersKey)).statusCode).toBe(409);
    const audit = await t.db.query<{ action: string }>(
      'SELECT action FROM audit_log WHERE subject = $1 ORDER BY seq',
      [request.id],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'signature.requested',
      'signature.judged',
      'signature.pending-approval',
      'signature.cancelled',
    ]);
  });

  it('refuses decisions once the request has expired', async () => {
    const response = await createRequest(initiator, {
      intent: transfer('40'),
      expiresInSeconds: 60,
    });
    const request = response.json<SignatureRequest>();
    expect(Date.parse(request.expiresAt) - Date.parse(request.createdAt)).toBe(60_000);
    await t.db.query(
      "UPDATE signature_requests SET expires_at = now() - interval '1 second' WHERE id = $1",
      [request.id],
    );
    const late = await decideRequest(request, ownersKey);
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toMatch(/expired/);
    const tooShort = await createRequest(initiator, {
      intent: transfer('41'),
      expiresInSeconds: 5,
    });
    expect(tooShort.statusCode).toBe(400);
  });
});

describe('governed policy versions', () => {
  let proposed: PolicyVersion;

  it('propose the next version with a directory snapshot; other numbers are refused', async () => {
    expect((await propose(owner, policyDocument(3))).statusCode).toBe(409);
    expect((await propose(teller, policyDocument(2))).statusCode).toBe(403);
    const response = await propose(owner, policyDocument(2));
    expect(response.statusCode).toBe(201);
    proposed = response.json<PolicyVersion>();
    expect(proposed).toMatchObject({ policyVersion: 2, status: 'proposed', adminQuorum: 2 });
    expect(proposed.document.previousHash).toBeNull();
    const members = proposed.document.directory.members.map((m) => m.id);
    expect(members).toEqual(expect.arrayContaining([owner.userId, teller.userId]));
    expect(proposed.document.directory.approvers.map((a) => a.keyId)).toEqual(
      expect.arrayContaining([ownersKey.id, tellersKey.id]),
    );
    const again = await propose(secondAdmin, policyDocument(3));
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/awaiting approval/);
  });

  it('publish once distinct owners/admins reach the quorum with signed approvals', async () => {
    const byTeller = await decideVersion(proposed, tellersKey);
    expect(byTeller.statusCode).toBe(400);
    expect(byTeller.json().error.message).toMatch(/UNKNOWN_APPROVER/);
    const forged = await owner.post(
      `/v1/orgs/${orgId}/policy/versions/2/approvals`,
      sign(proposed.rejectionPayload, ownersKey),
    );
    expect(forged.statusCode).toBe(400);
    const first = await decideVersion(proposed, ownersKey);
    expect(first.json<PolicyVersion>()).toMatchObject({ status: 'proposed', current: false });
    expect((await decideVersion(proposed, ownersKey)).statusCode).toBe(409);
    const second = await decideVersion(proposed, adminsKey);
    expect(second.json<PolicyVersion>()).toMatchObject({
      status: 'published',
      current: true,
      vaults: [{ vaultId: vault.id, accepted: true, missing: null }],
    });
    const current = await teller.get(`/v1/orgs/${orgId}/policy`);
    expect(current.json()).toMatchObject({ policyVersion: 2, published: { hash: proposed.hash } });
    const audit = await t.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE subject = 'policy:2' ORDER BY seq",
    );
    expect(audit.map((a) => a.action)).toEqual([
      'policy.proposed',
      'policy.approved',
      'policy.approved',
      'policy.published',
    ]);
  });

  it('end with one admin’s signed rejection, and can be withdrawn', async () => {
    const three = (await propose(owner, policyDocument(3))).json<PolicyVersion>();
    const rejected = await decideVersion(three, adminsKey, 'reject');
    expect(rejected.json<PolicyVersion>().status).toBe('rejected');
    expect((await decideVersion(three, ownersKey)).statusCode).toBe(409);
    const four = (await propose(owner, policyDocument(4))).json<PolicyVersion>();
    const url = `/v1/orgs/${orgId}/policy/versions/4/withdraw`;
    expect((await secondAdmin.post(url)).statusCode).toBe(200);
    expect((await secondAdmin.post(url)).statusCode).toBe(409);
    expect(
      (await owner.get(`/v1/orgs/${orgId}/policy/versions/${four.policyVersion}`)).json(),
    ).toMatchObject({ status: 'withdrawn' });
    expect((await owner.get(`/v1/orgs/${orgId}/policy`)).json().policyVersion).toBe(2);
  });
});

describe('requests under a published version', () => {
  it('the dry run gives the decision and every reason', async () => {
    const dry = (body: object) => initiator.post(`/v1/orgs/${orgId}/policy/dry-run`, body);
    const blocked = (await dry({ intent: transfer('1', SANCTIONED) })).json();
    expect(blocked).toMatchObject({ policyVersion: 2, outcome: 'block', ruleId: 'sanctions' });
    const large = (await dry({ intent: transfer('5000') })).json();
    expect(large).toMatchObject({ outcome: 'require-approvals', ruleId: 'two-stage' });
    expect(large.reasons[1]).toMatch(/"Small transfers to the address book".*did not match/);
    const invalid = await dry({ intent: { ...transfer('1'), amount: '-1' } });
    expect(invalid.statusCode).toBe(400);
  });

  it('a blocked request ends rejected with the reason', async () => {
    const response = await createRequest(initiator, { intent: transfer('1', SANCTIONED) });
    expect(response.statusCode).toBe(201);
    const request = response.json<SignatureRequest>();
    expect(request).toMatchObject({
      status: 'rejected',
      policyVersion: 2,
      quorum: null,
      decision: { outcome: 'block', ruleId: 'sanctions' },
    });
    expect(request.failure?.reason).toMatch(/blocked by policy version 2/);
  });

  it('an allowed request is approved at once; velocity sends the next one to approvals', async () => {
    const first = (
      await createRequest(initiator, { intent: transfer('1000') })
    ).json<SignatureRequest>();
    expect(first).toMatchObject({ status: 'approved', decision: { ruleId: 'small' } });
    const jobs = await t.db.query('SELECT id FROM jobs WHERE subject = $1', [first.id]);
    expect(jobs).toHaveLength(1);
    const second = (
      await createRequest(initiator, { intent: transfer('1000') })
    ).json<SignatureRequest>();
    expect(second).toMatchObject({ status: 'pending_approval', decision: { ruleId: 'two-stage' } });
    expect(second.decision.reasons.join(' ')).toMatch(/velocity/);
  });

  it('sequential stages: a teller, then a manager; the initiator and early managers do not count', async () => {
    const request = (
      await createRequest(initiator, { intent: transfer('5000') })
    ).json<SignatureRequest>();
    expect(request.progress).toMatchObject({ state: 'pending', stage: 0 });
    expect(JSON.parse(request.approvalPayload)).toMatchObject({
      type: 'coffer.request-approval.v2',
      policyVersion: 2,
    });
    // What waits for whom: the teller now, the managers once the teller has approved.
    const waitingFor = async (client: TestClient) =>
      (await client.get('/v1/me/pending-approvals'))
        .json<{ requests: { requestId: string }[] }>()
        .requests.map((r) => r.requestId)
        .includes(request.id);
    expect(await waitingFor(teller)).toBe(true);
    expect(await waitingFor(secondAdmin)).toBe(false);
    expect(await waitingFor(initiator)).toBe(false);
    const own = await decideRequest(request, initiatorsKey);
    expect(own.statusCode).toBe(403);
    expect(own.json().error.message).toMatch(/initiator cannot decide/);
    const early = await decideRequest(request, adminsKey);
    expect(early.statusCode).toBe(403);
    expect(early.json().error.message).toMatch(/not an approver this request is waiting for/);
    const byTeller = await decideRequest(request, tellersKey);
    expect(byTeller.json<SignatureRequest>()).toMatchObject({
      status: 'pending_approval',
      progress: { state: 'pending', stage: 1 },
    });
    expect(await waitingFor(teller)).toBe(false);
    expect(await waitingFor(secondAdmin)).toBe(true);
    const byManager = await decideRequest(request, adminsKey);
    expect(byManager.json<SignatureRequest>()).toMatchObject({
      status: 'approved',
      progress: { state: 'approved' },
    });
  });

  it('a manager approves with a passkey: a WebAuthn assertion over the version-2 payload', async () => {
    const request = (
      await createRequest(initiator, { intent: transfer('5500') })
    ).json<SignatureRequest>();
    await decideRequest(request, tellersKey);
    const url = `${requestsUrl()}/${request.id}/approvals`;
    const noUv = await owner.post(url, passkeyAssertion(ownersPasskey, request.challenge, 0x01));
    expect(noUv.statusCode).toBe(400);
    expect(noUv.json().error.message).toMatch(/USER_NOT_VERIFIED/);
    const approved = await owner.post(url, passkeyAssertion(ownersPasskey, request.challenge));
    expect(approved.json<SignatureRequest>()).toMatchObject({
      status: 'approved',
      approvals: [
        { approverKeyId: tellersKey.id },
        { approverKeyId: ownersPasskey.id, scheme: 'webauthn-es256', principal: owner.userId },
      ],
    });
  });

  it('any approver’s rejection ends it; an API-key initiator’s creator cannot decide either', async () => {
    const request = (
      await createRequest(initiator, { intent: transfer('6000') })
    ).json<SignatureRequest>();
    const rejected = await decideRequest(request, tellersKey, 'reject');
    expect(rejected.json<SignatureRequest>().status).toBe('rejected');

    const byKey = await t.app.inject({
      method: 'POST',
      url: requestsUrl(),
      headers: { authorization: `Bearer ${adminsKey.secret}` },
      payload: { scheme: 'ecdsa-secp256k1', intent: transfer('7000') },
    });
    const keyed = byKey.json<SignatureRequest>();
    expect(keyed.initiator).toMatchObject({ kind: 'api-key', id: adminsKey.id });
    await decideRequest(keyed, tellersKey);
    // secondAdmin created adminsKey: as the initiator's person they never count.
    const bySelf = await secondAdmin.post(
      `${requestsUrl()}/${keyed.id}/approvals`,
      sign(keyed.approvalPayload, adminsKey),
    );
    expect(bySelf.statusCode).toBe(403);
    expect((await decideRequest(keyed, ownersKey)).json<SignatureRequest>().status).toBe(
      'approved',
    );
  });

  it('a key revoked since the version was published can no longer decide', async () => {
    const request = (
      await createRequest(initiator, { intent: transfer('7500') })
    ).json<SignatureRequest>();
    await t.db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [tellersKey.id]);
    try {
      const refused = await decideRequest(request, tellersKey);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.message).toMatch(/can no longer decide/);
    } finally {
      await t.db.query('UPDATE api_keys SET revoked_at = NULL WHERE id = $1', [tellersKey.id]);
    }
  });

  it('a vault whose genesis approvers have not approved the version cannot take requests', async () => {
    const thirdAdmin = await newMember(t, orgId, 'third-admin@example.org', 'admin');
    const thirdKey = await insertApprovalApiKey(t.db, { orgId, createdBy: thirdAdmin.userId });
    const strict = await activeVault('Cold', 3);
    const refused = await createRequest(
      initiator,
      { intent: { ...transfer('1'), source: { vaultId: strict.id } } },
      strict,
    );
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/do not accept policy version 2.*2 of 3/);
    const version = (await owner.get(`/v1/orgs/${orgId}/policy/versions/2`)).json<PolicyVersion>();
    const added = await decideVersion(version, thirdKey);
    expect(added.json<PolicyVersion>().vaults).toContainEqual({
      vaultId: strict.id,
      accepted: true,
      missing: null,
    });
    const accepted = await createRequest(
      initiator,
      { intent: { ...transfer('1'), source: { vaultId: strict.id } } },
      strict,
    );
    expect(accepted.statusCode).toBe(201);
    const mismatch = await createRequest(initiator, { intent: transfer('1') }, strict);
    expect(mismatch.statusCode).toBe(400);
  });
});
