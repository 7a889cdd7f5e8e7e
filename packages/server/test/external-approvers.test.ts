/**
 * External approvers (issue 6, item 7) against a real HTTP endpoint on loopback with a real
 * Ed25519 key: configuration (201 with the secret once, 400/403/404/409); a policy stage calls
 * the endpoint with an HMAC-signed call the endpoint verifies with that secret; a signed
 * approval moves the request to its next stage, a signed rejection ends it; a forged signature,
 * a wrong call id or an HTTP error are retried, and at the deadline the stage's rule applies
 * (fail: rejected; retry: a new call); two workers never call one call twice; cancelling a
 * request cancels its call; and the evidence the nodes will get — with the external answer —
 * is accepted by the nodes' own verification.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertEvidenceV2 } from '@coffer/node';
import {
  externalDecisionPayloadJson,
  type CreatedExternalApprover,
  type PolicyDocument,
  type PolicyVersion,
  type SignatureRequest,
  type Vault,
} from '@coffer/protocol';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalApprovalWorker } from '../src/modules/external-approvers/worker.js';
import { verifyWebhook } from '../src/modules/notifications/webhook-signature.js';
import { externalDecisionHandler } from '../src/modules/signing/external-answers.js';
import { signingEvidence } from '../src/modules/signing/evidence.js';
import { findSignatureRequest } from '../src/modules/signing/store.js';
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

interface Call {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: { callId: string; requestId: string; intentHash: string };
}

type Answer = (call: Call) => { status: number; body: unknown };

/** The AML endpoint: records calls, answers with `answer`, signs with its own key. */
async function startEndpoint() {
  const key = ed25519.keygen();
  const calls: Call[] = [];
  const endpoint = {
    calls,
    publicKey: bytesToHex(key.publicKey),
    answer: (() => ({ status: 500, body: {} })) as Answer,
    sign(call: Call, decision: 'approve' | 'reject', callId = call.json.callId) {
      const payload = externalDecisionPayloadJson({
        endpointId: 'aml',
        callId,
        requestId: call.json.requestId,
        intentHash: call.json.intentHash,
        decision,
      });
      return bytesToHex(ed25519.sign(utf8ToBytes(payload), key.secretKey));
    },
    url: '',
    close: () => Promise.resolve(),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const call = { headers: req.headers, body, json: JSON.parse(body) as Call['json'] };
      calls.push(call);
      const { status, body: answer } = endpoint.answer(call);
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/aml`;
  endpoint.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return endpoint;
}

let t: TestApp;
let owner: TestClient;
let initiator: TestClient;
let orgId: string;
let vault: Vault;
let ownersKey: ApprovalApiKey;
let endpoint: Awaited<ReturnType<typeof startEndpoint>>;
let configured: CreatedExternalApprover;
let worker: ExternalApprovalWorker;

const sign = (payload: string, key: ApprovalApiKey) => ({
  approverKeyId: key.id,
  scheme: 'ed25519' as const,
  signature: bytesToHex(ed25519.sign(utf8ToBytes(payload), key.approvalSecretKey)),
});

function policyDocument(
  policyVersion: number,
  onTimeout: 'fail' | 'retry' = 'fail',
): PolicyDocument {
  return {
    version: 1,
    policyVersion,
    groups: [
      { id: 'managers', name: 'Managers', members: { roles: ['owner', 'admin'] }, quorum: 1 },
    ],
    rules: [
      {
        id: 'screened',
        name: 'AML screening, then a manager',
        conditions: {},
        action: {
          type: 'require-approvals',
          stages: [
            { type: 'external', endpointId: 'aml', timeoutSeconds: 600, onTimeout },
            { type: 'approvers', requirement: { group: 'managers' } },
          ],
        },
      },
    ],
  };
}

async function publish(document: PolicyDocument) {
  const proposed = await owner.post(`/v1/orgs/${orgId}/policy/versions`, { policy: document });
  expect(proposed.statusCode).toBe(201);
  const version = proposed.json<PolicyVersion>();
  const approved = await owner.post(
    `/v1/orgs/${orgId}/policy/versions/${version.policyVersion}/approvals`,
    sign(version.approvalPayload, ownersKey),
  );
  expect(approved.json<PolicyVersion>().status).toBe('published');
}

const requestsUrl = () => `/v1/orgs/${orgId}/vaults/${vault.id}/signature-requests`;
let counter = 0;
async function newRequest(): Promise<SignatureRequest> {
  counter += 1;
  const response = await initiator.post(requestsUrl(), {
    scheme: 'ecdsa-secp256k1',
    intent: {
      version: 1,
      kind: 'transfer',
      chain: 'ethereum',
      asset: 'ETH',
      amount: String(counter),
      source: { vaultId: vault.id },
      destination: { address: '0x' + 'ee'.repeat(20) },
      digests: [counter.toString(16).padStart(64, '0')],
    },
  });
  expect(response.statusCode).toBe(201);
  return response.json<SignatureRequest>();
}

const get = async (id: string) =>
  (await owner.get(`${requestsUrl()}/${id}`)).json<SignatureRequest>();
const callsOf = (requestId: string) =>
  t.db.query<{ call_id: string; status: string; attempts: number; last_error: string | null }>(
    'SELECT call_id, status, attempts, last_error FROM external_calls WHERE request_id = $1 ORDER BY created_at',
    [requestId],
  );
const expireCalls = (requestId: string) =>
  t.db.query(
    "UPDATE external_calls SET deadline_at = now() - interval '1 second', next_attempt_at = now() WHERE request_id = $1 AND status = 'pending'",
    [requestId],
  );

beforeAll(async () => {
  t = await createTestApp();
  ({ owner, orgId } = await bootstrapOwner(t.app));
  initiator = await newMember(t, orgId, 'initiator@example.org', 'initiator');
  ownersKey = await insertApprovalApiKey(t.db, { orgId, createdBy: owner.userId });
  const nodes = (await enrolTestNodes(owner, orgId, 3)).map((n) => n.identity.nodeId);
  vault = await activeTestVault(t, owner, { orgId, nodes, name: 'Hot', approvalQuorum: 1 });
  endpoint = await startEndpoint();
  worker = new ExternalApprovalWorker({
    db: t.db,
    logger: pino({ level: 'silent' }),
    outcomes: externalDecisionHandler,
    attemptTimeoutMs: 5_000,
  });
});
afterAll(async () => {
  await endpoint.close();
  await t.close();
});

describe('external approver configuration', () => {
  it('refuses a policy naming an endpoint that is not configured', async () => {
    const response = await owner.post(`/v1/orgs/${orgId}/policy/versions`, {
      policy: policyDocument(2),
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.message).toMatch(/external approver "aml".*not configured/);
  });

  it('adds an endpoint with its secret once; validates; owner/admin only', async () => {
    const url = `/v1/orgs/${orgId}/external-approvers`;
    const body = {
      id: 'aml',
      name: 'AML screening',
      url: endpoint.url,
      publicKey: endpoint.publicKey,
    };
    expect((await initiator.post(url, body)).statusCode).toBe(403);
    const badUrl = await owner.post(url, { ...body, url: 'http://example.org/aml' });
    expect(badUrl.statusCode).toBe(400);
    expect((await owner.post(url, { ...body, publicKey: 'zz' })).statusCode).toBe(400);
    const created = await owner.post(url, body);
    expect(created.statusCode).toBe(201);
    configured = created.json<CreatedExternalApprover>();
    expect(configured.secret).toMatch(/^whsec_/);
    expect((await owner.post(url, body)).statusCode).toBe(409);
    const listed = (await initiator.get(url)).json<{ approvers: object[] }>();
    expect(listed.approvers).toEqual([expect.not.objectContaining({ secret: expect.anything() })]);
    expect((await owner.get(`${url}/kyc`)).statusCode).toBe(404);
    await publish(policyDocument(2));
  });
});

describe('a request screened by the external approver', () => {
  it('is called with an HMAC-signed call; a signed approval opens the next stage', async () => {
    const request = await newRequest();
    expect(request.progress).toMatchObject({ state: 'pending', stage: 0 });
    endpoint.answer = (call) => ({
      status: 200,
      body: {
        callId: call.json.callId,
        decision: 'approve',
        signature: endpoint.sign(call, 'approve'),
      },
    });
    await worker.tick();
    const call = endpoint.calls.at(-1)!;
    expect(call.json.requestId).toBe(request.id);
    expect(call.headers['coffer-call-id']).toBe(call.json.callId);
    expect(
      verifyWebhook({
        secret: configured.secret,
        body: call.body,
        timestamp: call.headers['coffer-timestamp'] as string,
        signature: call.headers['coffer-signature'] as string,
      }),
    ).toBe(true);
    const screened = await get(request.id);
    expect(screened).toMatchObject({ status: 'pending_approval', progress: { stage: 1 } });
    const approved = await owner.post(
      `${requestsUrl()}/${request.id}/approvals`,
      sign(screened.approvalPayload, ownersKey),
    );
    expect(approved.json<SignatureRequest>().status).toBe('approved');

    // What the nodes will receive, external answer included, passes their own check.
    const stored = (await findSignatureRequest(t.db, { requestId: request.id }))!;
    const evidence = (await signingEvidence(t.db, stored)) as { external: unknown[] };
    expect(evidence.external).toHaveLength(1);
    const accepted = assertEvidenceV2(
      vault.genesis,
      evidence,
      stored.view.intent.digests[0]!,
      new Date(),
    );
    expect(accepted.approvers).toEqual([ownersKey.id]);
    const actions = await t.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE subject = $1 AND action LIKE 'external.%' ORDER BY seq",
      [request.id],
    );
    expect(actions.map((a) => a.action)).toEqual(['external.called', 'external.answered']);
    // Answered once: the next pass calls nothing.
    const before = endpoint.calls.length;
    await worker.tick();
    expect(endpoint.calls).toHaveLength(before);
  });

  it('a signed rejection ends the request with the endpoint’s reason', async () => {
    const request = await newRequest();
    endpoint.answer = (call) => ({
      status: 200,
      body: {
        callId: call.json.callId,
        decision: 'reject',
        reason: 'sanctions list hit',
        signature: endpoint.sign(call, 'reject'),
      },
    });
    await worker.tick();
    const rejected = await get(request.id);
    expect(rejected.status).toBe('rejected');
    expect(rejected.failure?.reason).toMatch(/external approver aml \(sanctions list hit\)/);
  });

  it('forged, misdirected and failed answers are retried; at the deadline the request fails', async () => {
    const request = await newRequest();
    endpoint.answer = (call) => ({
      status: 200,
      body: {
        callId: call.json.callId,
        decision: 'approve',
        signature: endpoint.sign(call, 'reject'),
      },
    });
    await worker.tick();
    let [call] = await callsOf(request.id);
    expect(call).toMatchObject({ status: 'pending', attempts: 1 });
    expect(call!.last_error).toMatch(/signature does not verify/);
    endpoint.answer = (c) => ({
      status: 200,
      body: {
        callId: 'call_other',
        decision: 'approve',
        signature: endpoint.sign(c, 'approve', 'call_other'),
      },
    });
    await t.db.query('UPDATE external_calls SET next_attempt_at = now() WHERE request_id = $1', [
      request.id,
    ]);
    await worker.tick();
    [call] = await callsOf(request.id);
    expect(call!.last_error).toMatch(/another call/);
    endpoint.answer = () => ({ status: 503, body: {} });
    await t.db.query('UPDATE external_calls SET next_attempt_at = now() WHERE request_id = $1', [
      request.id,
    ]);
    await worker.tick();
    [call] = await callsOf(request.id);
    expect(call).toMatchObject({ status: 'pending', attempts: 3, last_error: 'HTTP 503' });
    expect((await get(request.id)).status).toBe('pending_approval');

    await expireCalls(request.id);
    await worker.tick();
    expect((await callsOf(request.id))[0]!.status).toBe('timed_out');
    const failed = await get(request.id);
    expect(failed.status).toBe('rejected');
    expect(failed.failure?.reason).toMatch(/external approver aml did not answer/);
  });

  it('two workers never call one call twice; cancelling a request cancels its call', async () => {
    const request = await newRequest();
    let answered = 0;
    endpoint.answer = (call) => {
      answered += 1;
      return {
        status: 200,
        body: {
          callId: call.json.callId,
          decision: 'approve',
          signature: endpoint.sign(call, 'approve'),
        },
      };
    };
    const second = new ExternalApprovalWorker({
      db: t.db,
      logger: pino({ level: 'silent' }),
      outcomes: externalDecisionHandler,
    });
    await Promise.all([worker.tick(), second.tick(), worker.tick()]);
    expect(answered).toBe(1);

    const cancelled = await newRequest();
    await initiator.post(`${requestsUrl()}/${cancelled.id}/cancel`);
    expect((await callsOf(cancelled.id)).map((c) => c.status)).toEqual(['cancelled']);
    answered = 0;
    await worker.tick();
    expect(answered).toBe(0);
    expect((await get(request.id)).progress.stage).toBe(1);
  });

  it('with onTimeout retry, a call that timed out is followed by a new one', async () => {
    const underTwo = await newRequest();
    await publish(policyDocument(3, 'retry'));
    // Open requests judged under the superseded version end (the nodes would refuse them).
    const superseded = await get(underTwo.id);
    expect(superseded.status).toBe('failed');
    expect(superseded.failure?.reason).toMatch(/policy version 3 was published.*version 2/);
    expect((await callsOf(underTwo.id)).map((c) => c.status)).toEqual(['cancelled']);
    const request = await newRequest();
    endpoint.answer = () => ({ status: 500, body: {} });
    await worker.tick();
    await expireCalls(request.id);
    await worker.tick();
    const calls = await callsOf(request.id);
    expect(calls.map((c) => c.status)).toEqual(['timed_out', 'pending']);
    expect((await get(request.id)).status).toBe('pending_approval');
  });
});
