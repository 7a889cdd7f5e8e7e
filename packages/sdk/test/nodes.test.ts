/**
 * CofferClient's signing-node and vault methods against the real app on a loopback port, with
 * a real coordinator: the coordinator's public identity, enrolling, reading and removing a
 * node, and the API's refusals (validation naming the field, 401, 403, 404, 409) surfacing as
 * CofferApiError codes. Key generation itself runs across real node processes in
 * tests/e2e/coffer-up.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testNodeIdentity } from '../../server/test/support/node-identities.js';
import { BOOTSTRAP_TOKEN, PASSWORD, newMember } from '../../server/test/support/test-app.js';
import { CofferClient } from '../src/index.js';
import { apiError, startLiveApp, type LiveApp } from './support/live-app.js';

describe('CofferClient: signing nodes and vaults', () => {
  let live: LiveApp;
  let baseUrl: string;
  let owner: CofferClient;
  let orgId: string;

  beforeAll(async () => {
    live = await startLiveApp({ registration: 'open' }, { coordinator: true });
    baseUrl = live.baseUrl;
    owner = new CofferClient({ baseUrl });
    await owner.bootstrap({
      token: BOOTSTRAP_TOKEN,
      email: 'owner@example.org',
      password: PASSWORD,
      displayName: 'Owner',
      organisation: 'Acme',
    });
    orgId = (await owner.listOrgs()).memberships[0]!.organisation.id;
  });
  afterAll(async () => live.close());

  it("reads the coordinator's public identity without logging in", async () => {
    const info = await new CofferClient({ baseUrl }).coordinator();
    expect(info.nodeId).toMatch(/^[0-9a-f]{32}$/);
    expect(info.relayUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+/);
  });

  it('enrols, reads, lists and removes a node', async () => {
    const { identity } = testNodeIdentity();
    const enrolled = await owner.enrolNode(orgId, { name: 'vault-a', identity });
    expect(enrolled).toMatchObject({ nodeId: identity.nodeId, name: 'vault-a', orgId });
    expect(enrolled.status).toBe('disconnected');
    expect((await owner.getNode(orgId, identity.nodeId)).identity).toEqual(identity);
    expect((await owner.listNodes(orgId)).nodes.map((n) => n.nodeId)).toContain(identity.nodeId);

    const twice = await apiError(owner.enrolNode(orgId, { name: 'again', identity }));
    expect([twice.status, twice.code]).toEqual([409, 'CONFLICT']);

    expect(await owner.removeNode(orgId, identity.nodeId)).toEqual({ ok: true });
    const gone = await apiError(owner.getNode(orgId, identity.nodeId));
    expect([gone.status, gone.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('surfaces refusals as CofferApiError codes', async () => {
    const { identity } = testNodeIdentity();
    const invalid = await apiError(
      owner.enrolNode(orgId, { name: 'x', identity: { ...identity, nodeId: 'nope' } }),
    );
    expect([invalid.status, invalid.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(invalid.issues.map((i) => i.path).join(' ')).toContain('nodeId');

    const anonymous = await apiError(new CofferClient({ baseUrl }).listNodes(orgId));
    expect([anonymous.status, anonymous.code]).toEqual([401, 'UNAUTHENTICATED']);

    await newMember(live.t, orgId, 'viewer@example.org', 'viewer');
    const viewer = new CofferClient({ baseUrl });
    await viewer.login({ email: 'viewer@example.org', password: PASSWORD });
    const forbidden = await apiError(viewer.enrolNode(orgId, { name: 'v', identity }));
    expect([forbidden.status, forbidden.code]).toEqual([403, 'FORBIDDEN']);

    const outsider = new CofferClient({ baseUrl });
    await outsider.register({
      email: 'outsider@example.org',
      password: PASSWORD,
      displayName: 'O',
    });
    const hidden = await apiError(outsider.listVaults(orgId));
    expect([hidden.status, hidden.code]).toEqual([404, 'NOT_FOUND']);

    const tooFewNodes = await apiError(
      owner.createVault(orgId, { name: 'v', structure: '2of3', nodes: [] }),
    );
    expect([tooFewNodes.status, tooFewNodes.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(tooFewNodes.issues.map((i) => i.path).join(' ')).toContain('nodes');
  });
});
