/**
 * Signature-request routes (issue 5, item 7) over app.inject, on vaults whose keys are marked
 * generated in the store (the real key generation and signing run in
 * tests/e2e/server-vault.test.ts): a request answers 201 with the canonical approval payload
 * and its WebAuthn challenge; approvals — an admin API key's Ed25519 signature and an owner's
 * passkey assertion with user verification — are verified as the nodes verify them and, at the
 * genesis quorum, make the request "approved" and queue the signing job; forged, unknown,
 * duplicate and late approvals are refused (400/409); 401, 403 and 404 paths.
 */
import {
  approvalPayloadJson,
  type SignatureRequest,
  type Vault,
  type VaultScheme,
} from '@coffer/protocol';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
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
  register,
  type TestApp,
  type TestClient,
} from './support/test-app.js';
import { activeTestVault } from './support/vaults.js';
import { insertTestPasskey, passkeyAssertion, testPasskey } from './support/test-passkey.js';

let t: TestApp;
let owner: TestClient;
let orgId: string;
let admin: ApprovalApiKey;
let initiatorKey: ApprovalApiKey;
let ownersKey: ApprovalApiKey;
let single: Vault;
let double: Vault;
const passkey = testPasskey('b3duZXItcGFzc2tleQ');

/** A vault created through the API whose keys are then recorded as generated. */

beforeAll(async () => {
  t = await createTestApp({ registration: 'open' });
  ({ owner, orgId } = await bootstrapOwner(t.app));
  // The admin API key belongs to a second person: approvals count once per person.
  const secondAdmin = await newMember(t, orgId, 'second-admin@example.org', 'admin');
  admin = await insertApprovalApiKey(t.db, { orgId, createdBy: secondAdmin.userId });
  ownersKey = await insertApprovalApiKey(t.db, { orgId, createdBy: owner.userId });
  initiatorKey = await insertApprovalApiKey(t.db, {
    orgId,
    createdBy: owner.userId,
    role: 'initiator',
  });
  await insertTestPasskey(t.db, passkey, owner.userId);
  const nodes = (await enrolTestNodes(owner, orgId, 3)).map((n) => n.identity.nodeId);
  single = await activeVault('Hot', 1, nodes);
  double = await activeVault('Cold', 2, nodes);
});
afterAll(async () => t.close());

const activeVault = (name: string, approvalQuorum: number, nodes: string[]) =>
  activeTestVault(t, owner, { orgId, nodes, name, approvalQuorum });

const requestsUrl = (vault: Vault) => `/v1/orgs/${orgId}/vaults/${vault.id}/signature-requests`;

function bearer(key: ApprovalApiKey) {
  return (method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key.secret}` },
      ...(payload ? { payload } : {}),
    });
}

async function newRequest(vault: Vault, scheme: VaultScheme = 'frost-ed25519') {
  const body =
    scheme === 'ecdsa-secp256k1'
      ? { scheme, digest: 'ab'.repeat(32) }
      : { scheme, message: 'c0ffee' };
  const response = await owner.post(requestsUrl(vault), body);
  expect(response.statusCode).toBe(201);
  return response.json<SignatureRequest>();
}

function ed25519Approval(request: SignatureRequest, key: ApprovalApiKey) {
  return {
    approverKeyId: key.id,
    scheme: 'ed25519' as const,
    signature: Buffer.from(
      ed25519.sign(utf8ToBytes(request.approvalPayload), key.approvalSecretKey),
    ).toString('hex'),
  };
}

/** The owner's passkey approving `request` (its challenge), with UP and UV unless `flags`. */
const passkeyApproval = (request: SignatureRequest, flags = 0x05) =>
  passkeyAssertion(passkey, request.challenge, flags);

describe('signature requests', () => {
  it('answers 201 with the canonical approval payload and its WebAuthn challenge', async () => {
    const request = await newRequest(single, 'ecdsa-secp256k1');
    expect(request).toMatchObject({
      orgId,
      vaultId: single.id,
      scheme: 'ecdsa-secp256k1',
      digest: 'ab'.repeat(32),
      status: 'pending_approval',
      policyVersion: 1,
      quorum: 1,
      approvals: [],
      result: null,
      failure: null,
    });
    expect(request.approvalPayload).toBe(
      approvalPayloadJson({
        requestId: request.id,
        vaultId: single.id,
        digests: ['ab'.repeat(32)],
        policyVersion: 1,
      }),
    );
    expect(request.challenge).toBe(
      Buffer.from(sha256(utf8ToBytes(request.approvalPayload))).toString('base64url'),
    );
    const one = await owner.get(`${requestsUrl(single)}/${request.id}`);
    expect(one.json()).toEqual(request);
  });

  it('an admin API key approval reaches quorum 1: approved, and the signing job is queued', async () => {
    const request = await newRequest(single);
    const approve = bearer(admin);
    const response = await approve(
      'POST',
      `${requestsUrl(single)}/${request.id}/approvals`,
      ed25519Approval(request, admin),
    );
    expect(response.statusCode).toBe(200);
    const approved = response.json<SignatureRequest>();
    expect(approved.status).toBe('approved');
    expect(approved.approvals).toEqual([
      {
        approverKeyId: admin.id,
        scheme: 'ed25519',
        decision: 'approve',
        principal: expect.stringMatching(/^usr_/),
        approvedAt: expect.any(String),
      },
    ]);
    const jobs = await t.db.query(`SELECT kind, status FROM jobs WHERE subject = $1`, [request.id]);
    expect(jobs).toEqual([{ kind: 'signature-request', status: 'queued' }]);
    // Too late for another approval.
    const late = await owner.post(
      `${requestsUrl(single)}/${request.id}/approvals`,
      passkeyApproval(request),
    );
    expect(late.statusCode).toBe(409);
  });

  it("quorum 2 counts people: the owner's passkey and API key are one approval", async () => {
    const request = await newRequest(double, 'frost-ed25519');
    const url = `${requestsUrl(double)}/${request.id}/approvals`;
    expect((await owner.post(url, passkeyApproval(request))).json().status).toBe(
      'pending_approval',
    );
    const sameperson = await owner.post(url, ed25519Approval(request, ownersKey));
    expect(sameperson.statusCode).toBe(200);
    expect(sameperson.json().status).toBe('pending_approval');
    const other = await owner.post(url, ed25519Approval(request, admin));
    expect(other.json().status).toBe('approved');
  });

  it('refuses a quorum larger than the number of people with an approval key', async () => {
    const nodes = (
      await t.db.query<{ node_id: string }>(
        'SELECT node_id FROM signing_nodes WHERE org_id = $1 ORDER BY node_id LIMIT 3',
        [orgId],
      )
    ).map((r) => r.node_id);
    const response = await owner.post(`/v1/orgs/${orgId}/vaults`, {
      name: 'Too many',
      structure: '2of3',
      nodes,
      approvalQuorum: 3,
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.message).toMatch(/exceeds the 2 owner\(s\) and admin\(s\)/);
  });

  it('quorum 2: a passkey and an API key; a duplicate approver is 409', async () => {
    const request = await newRequest(double, 'frost-taproot');
    const url = `${requestsUrl(double)}/${request.id}/approvals`;
    const first = await owner.post(url, passkeyApproval(request));
    expect(first.statusCode).toBe(200);
    expect(first.json().status).toBe('pending_approval');
    const again = await owner.post(url, passkeyApproval(request));
    expect(again.statusCode).toBe(409);
    const second = await owner.post(url, ed25519Approval(request, admin));
    expect(second.json().status).toBe('approved');
    expect(second.json().approvals.map((a: { approverKeyId: string }) => a.approverKeyId)).toEqual([
      passkey.id,
      admin.id,
    ]);
  });

  it('refuses approvals the nodes would refuse, naming the reason', async () => {
    const request = await newRequest(double);
    const url = `${requestsUrl(double)}/${request.id}/approvals`;
    const other = await newRequest(double);
    const cases: [object, RegExp][] = [
      [ed25519Approval(other, admin), /INVALID_SIGNATURE/],
      [{ ...ed25519Approval(request, admin), approverKeyId: initiatorKey.id }, /UNKNOWN_APPROVER/],
      [{ ...ed25519Approval(request, admin), approverKeyId: passkey.id }, /SCHEME_MISMATCH/],
      [passkeyApproval(request, 0x01), /USER_NOT_VERIFIED/],
      [passkeyApproval(other), /WEBAUTHN_CLIENT_DATA_INVALID/],
    ];
    for (const [approval, reason] of cases) {
      const response = await owner.post(url, approval);
      expect(response.statusCode, JSON.stringify(approval)).toBe(400);
      expect(response.json().error.message).toMatch(reason);
    }
    const malformed = await owner.post(url, {
      approverKeyId: admin.id,
      scheme: 'ed25519',
      signature: 'zz',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('VALIDATION_FAILED');
    const still = await owner.get(`${requestsUrl(double)}/${request.id}`);
    expect(still.json()).toMatchObject({ status: 'pending_approval', approvals: [] });
  });

  it('validates the body per scheme with 400 naming the field', async () => {
    const cases: [object, string][] = [
      [{ scheme: 'ecdsa-secp256k1', message: 'ab' }, 'body.digest'],
      [{ scheme: 'ecdsa-secp256k1', digest: 'ab'.repeat(31) }, 'body.digest'],
      [{ scheme: 'frost-ed25519', digest: 'ab'.repeat(32) }, 'body.message'],
      [{ scheme: 'frost-ed25519', message: 'abc' }, 'body.message'],
      [{ scheme: 'rsa', message: 'ab' }, 'body.scheme'],
    ];
    for (const [body, path] of cases) {
      const response = await owner.post(requestsUrl(single), body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      const paths = response.json().error.issues.map((i: { path: string }) => i.path);
      expect(paths).toContain(path);
    }
  });

  it('answers 409 for a vault whose key is not generated, or lacks the scheme', async () => {
    const nodes = Object.values(single.parties);
    const creating = (
      await owner.post(`/v1/orgs/${orgId}/vaults`, {
        name: 'New',
        structure: '2of3',
        nodes,
        schemes: ['frost-ed25519'],
      })
    ).json<Vault>();
    const pending = await owner.post(requestsUrl(creating), {
      scheme: 'frost-ed25519',
      message: 'aa',
    });
    expect(pending.statusCode).toBe(409);
    expect(pending.json().error.message).toMatch(/pending/);
    const missing = await owner.post(requestsUrl(creating), {
      scheme: 'ecdsa-secp256k1',
      digest: 'aa'.repeat(32),
    });
    expect(missing.statusCode).toBe(409);
  });

  it('lets an initiator API key ask; lists newest first', async () => {
    const ask = bearer(initiatorKey);
    const created = await ask('POST', requestsUrl(single), {
      scheme: 'frost-ed25519',
      message: '0102',
    });
    expect(created.statusCode).toBe(201);
    const list = await ask('GET', requestsUrl(single));
    expect(list.statusCode).toBe(200);
    expect(list.json().requests[0].id).toBe(created.json().id);
    // An initiator cannot approve.
    const request = created.json<SignatureRequest>();
    const approve = await ask(
      'POST',
      `${requestsUrl(single)}/${request.id}/approvals`,
      ed25519Approval(request, admin),
    );
    expect(approve.statusCode).toBe(403);
  });

  it('answers 401, 403 to viewers asking, 404 to other organisations and unknown requests', async () => {
    const url = requestsUrl(single);
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    const viewer = await register(t.app, 'viewer-signing@example.org');
    await t.db.query(`INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'viewer')`, [
      orgId,
      viewer.userId,
    ]);
    expect((await viewer.get(url)).statusCode).toBe(200);
    expect((await viewer.post(url, { scheme: 'frost-ed25519', message: 'aa' })).statusCode).toBe(
      403,
    );
    const request = await newRequest(single);
    expect(
      (await viewer.post(`${url}/${request.id}/approvals`, ed25519Approval(request, admin)))
        .statusCode,
    ).toBe(403);

    const stranger = await register(t.app, 'stranger-signing@example.org');
    expect((await stranger.get(url)).statusCode).toBe(404);
    expect((await stranger.get(`${url}/${request.id}`)).statusCode).toBe(404);
    expect((await owner.get(`${url}/sig_${'0'.repeat(32)}`)).statusCode).toBe(404);
    // A request is only found under its own vault.
    expect((await owner.get(`${requestsUrl(double)}/${request.id}`)).statusCode).toBe(404);
    expect(
      (
        await owner.post(`/v1/orgs/${orgId}/vaults/vlt_${'0'.repeat(32)}/signature-requests`, {
          scheme: 'frost-ed25519',
          message: 'aa',
        })
      ).statusCode,
    ).toBe(404);
  });
});
