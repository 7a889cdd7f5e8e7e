/**
 * The Coffer server as coordinator, end to end (issue 5, items 5–7): the server runs
 * in-process (PGlite, HTTP and relay on loopback) and three real `coffer node` processes are
 * configured with its coordinator identity from GET /v1/coordinator, enrolled through the
 * API, and connect outbound to its relay. A 2-of-3 vault with all three schemes is generated
 * by DKG across them (the nodes store the vault genesis, whose approver is an admin API key's
 * Ed25519 key); each scheme then signs a message or digest once that key approved the
 * request, and noble verifies every signature independently (Ed25519, BIP340 under the
 * BIP341-tweaked key computed here, ECDSA with public-key recovery). Without an approval a
 * request stays pending and nothing is signed; a forged approval is refused; a node that
 * stalls mid-session is blamed and the session restarted with another authorised pair; with
 * one node killed, the server chooses the other authorised pair and 2-of-3 still signs.
 */
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type {
  AuditEntry,
  AuditVerification,
  ApiErrorBody,
  CreatedApiKey,
  SignatureRequest,
  SigningNodeInfo,
  SigningNodeList,
  Vault,
  VaultScheme,
} from '@coffer/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerCluster, pollUntil } from './support/server-cluster.js';

const STEP_TIMEOUT = 90_000;

/** BIP341 key-path output key: x(P + H_TapTweak(x(P))·G), P the even-y lift of x. */
function taprootOutputKey(compressedHex: string): string {
  const x = hexToBytes(compressedHex).slice(1);
  const P = schnorr.utils.lift_x(BigInt(`0x${bytesToHex(x)}`));
  const t = BigInt(`0x${bytesToHex(schnorr.utils.taggedHash('TapTweak', x))}`);
  return bytesToHex(P.add(secp256k1.Point.BASE.multiply(t)).toBytes(true).slice(1));
}

describe('coffer server: vaults by DKG across three node processes, signing after approval', () => {
  let cluster: ServerCluster;
  let vault: Vault;
  const approvalKey = ed25519.keygen();
  let apiKey: { id: string; secret: string };

  const vaultUrl = () => `/v1/orgs/${cluster.orgId}/vaults/${vault.id}`;
  const requestUrl = (id: string) => `${vaultUrl()}/signature-requests/${id}`;

  async function ask(scheme: VaultScheme, data: string): Promise<SignatureRequest> {
    const body =
      scheme === 'ecdsa-secp256k1' ? { scheme, digest: data } : { scheme, message: data };
    const response = await cluster.api<SignatureRequest>(
      'POST',
      `${vaultUrl()}/signature-requests`,
      body,
    );
    expect(response.status).toBe(201);
    return response.body;
  }

  function approvalOf(request: SignatureRequest, secretKey = approvalKey.secretKey) {
    return {
      approverKeyId: apiKey.id,
      scheme: 'ed25519',
      signature: bytesToHex(ed25519.sign(utf8ToBytes(request.approvalPayload), secretKey)),
    };
  }

  /** Approves with the API key and waits until the request is signed (or failed). */
  async function approveAndWait(request: SignatureRequest): Promise<SignatureRequest> {
    const approved = await cluster.apiWithKey<SignatureRequest>(
      apiKey.secret,
      'POST',
      `${requestUrl(request.id)}/approvals`,
      approvalOf(request),
    );
    expect(approved.status).toBe(200);
    const done = await pollUntil(
      async () => (await cluster.api<SignatureRequest>('GET', requestUrl(request.id))).body,
      (r) => r.status === 'signed' || r.status === 'failed',
      60_000,
      `request ${request.id} to be signed`,
    );
    expect(done.failure).toBeNull();
    expect(done.status).toBe('signed');
    return done;
  }

  const keyOf = (scheme: VaultScheme) => vault.keys.find((k) => k.scheme === scheme)!;

  beforeAll(async () => {
    cluster = await ServerCluster.create(['alpha', 'bravo', 'charlie']);
    await cluster.enrolAll();
    await cluster.startAll();
    const created = await cluster.api<CreatedApiKey>('POST', `/v1/orgs/${cluster.orgId}/api-keys`, {
      name: 'approver',
      role: 'admin',
      approvalPublicKey: bytesToHex(approvalKey.publicKey),
    });
    expect(created.status).toBe(201);
    apiKey = { id: created.body.id, secret: created.body.secret };
  }, STEP_TIMEOUT);

  afterAll(async () => {
    await cluster?.close();
  }, STEP_TIMEOUT);

  it('shows the enrolled nodes connected to its relay', async () => {
    const list = await pollUntil(
      async () =>
        (await cluster.api<SigningNodeList>('GET', `/v1/orgs/${cluster.orgId}/nodes`)).body,
      (b) => b.nodes.every((n) => n.status === 'connected'),
      10_000,
      'nodes connected',
    );
    expect(list.nodes).toHaveLength(3);
    for (const node of list.nodes) expect(node.lastContactAt).not.toBeNull();
  });

  it(
    'creates a 2-of-3 vault with all three schemes by DKG across the nodes',
    async () => {
      const created = await cluster.api<Vault>('POST', `/v1/orgs/${cluster.orgId}/vaults`, {
        name: 'Treasury',
        structure: '2of3',
        nodes: cluster.nodes.map((n) => n.identity.nodeId),
      });
      expect(created.status).toBe(202);
      expect(created.body.status).toBe('creating');
      vault = created.body;
      expect(vault.genesis.policy.approvers).toEqual([
        {
          keyId: apiKey.id,
          scheme: 'ed25519',
          publicKey: bytesToHex(approvalKey.publicKey),
          // The API key approves as the person who created it (the owner).
          principal: expect.stringMatching(/^usr_[0-9a-f]{32}$/) as string,
        },
      ]);
      vault = await pollUntil(
        async () => (await cluster.api<Vault>('GET', vaultUrl())).body,
        (v) => v.status !== 'creating',
        60_000,
        'the vault keys',
      );
      expect(vault.failure).toBeNull();
      expect(vault.status).toBe('active');
      for (const key of vault.keys) {
        expect(key.status).toBe('completed');
        expect(key.keyId).toMatch(/^[0-9a-f]{64}$/);
        expect(key.chainCode).toMatch(/^[0-9a-f]{64}$/);
        expect(key.publicKeyPackage).not.toBeNull();
        expect(new Date(key.finishedAt!).getTime()).toBeGreaterThanOrEqual(
          new Date(key.startedAt!).getTime(),
        );
      }
      expect(keyOf('frost-ed25519').publicKey).toMatch(/^[0-9a-f]{64}$/);
      expect(keyOf('frost-taproot').publicKey).toMatch(/^0[23][0-9a-f]{64}$/);
      expect(keyOf('ecdsa-secp256k1').publicKey).toMatch(/^0[23][0-9a-f]{64}$/);
    },
    STEP_TIMEOUT,
  );

  it(
    'leaves a request without approval pending, and refuses a forged approval',
    async () => {
      const message = bytesToHex(randomBytes(48));
      const pending = await ask('frost-ed25519', message);
      const forged = await cluster.apiWithKey<ApiErrorBody>(
        apiKey.secret,
        'POST',
        `${requestUrl(pending.id)}/approvals`,
        approvalOf(pending, ed25519.utils.randomSecretKey()),
      );
      expect(forged.status).toBe(400);
      expect(forged.body.error.message).toMatch(/INVALID_SIGNATURE/);
      // Another request signs meanwhile; this one never moves without its approval.
      await approveAndWait(await ask('frost-ed25519', bytesToHex(randomBytes(16))));
      const still = (await cluster.api<SignatureRequest>('GET', requestUrl(pending.id))).body;
      expect(still).toMatchObject({ status: 'pending_approval', approvals: [], result: null });
    },
    STEP_TIMEOUT,
  );

  it(
    'signs with FROST Ed25519 after an API-key approval; noble verifies',
    async () => {
      const message = bytesToHex(utf8ToBytes('pay 10 to alice'));
      const signed = await approveAndWait(await ask('frost-ed25519', message));
      const key = keyOf('frost-ed25519').publicKey!;
      expect(signed.result!.publicKey).toBe(key);
      expect(signed.result!.signers).toHaveLength(2);
      expect(
        ed25519.verify(hexToBytes(signed.result!.signature), hexToBytes(message), hexToBytes(key)),
      ).toBe(true);
    },
    STEP_TIMEOUT,
  );

  it(
    'signs with FROST Taproot under the BIP341-tweaked key; noble verifies (BIP340)',
    async () => {
      const message = bytesToHex(randomBytes(32));
      const signed = await approveAndWait(await ask('frost-taproot', message));
      const outputKey = taprootOutputKey(keyOf('frost-taproot').publicKey!);
      expect(signed.result!.publicKey).toBe(outputKey);
      expect(
        schnorr.verify(
          hexToBytes(signed.result!.signature),
          hexToBytes(message),
          hexToBytes(outputKey),
        ),
      ).toBe(true);
    },
    STEP_TIMEOUT,
  );

  it(
    'signs a digest with threshold ECDSA; noble verifies and recovers the vault key',
    async () => {
      const digest = bytesToHex(randomBytes(32));
      const signed = await approveAndWait(await ask('ecdsa-secp256k1', digest));
      const key = keyOf('ecdsa-secp256k1').publicKey!;
      const result = signed.result!;
      expect(result.publicKey).toBe(key);
      expect(
        secp256k1.verify(hexToBytes(result.signature), hexToBytes(digest), hexToBytes(key), {
          prehash: false,
        }),
      ).toBe(true);
      const recovered = secp256k1.Signature.fromBytes(hexToBytes(result.signature), 'compact')
        .addRecoveryBit(result.recoveryId!)
        .recoverPublicKey(hexToBytes(digest));
      expect(bytesToHex(recovered.toBytes(true))).toBe(key);
    },
    STEP_TIMEOUT,
  );

  it(
    'restarts a session a node stalled in with another authorised pair sharing a node (fresh nonces)',
    async () => {
      const stalled = cluster.node('alpha').process!;
      const message = bytesToHex(randomBytes(32));
      const request = await ask('frost-ed25519', message);
      // Alpha stays connected to the relay but answers nothing: the first round, {alpha, bravo},
      // fails naming alpha; the next round runs {bravo, charlie}, bravo admitting the same
      // approvals a second time with fresh nonces.
      process.kill(stalled.pid, 'SIGSTOP');
      let signed: SignatureRequest;
      try {
        signed = await approveAndWait(request);
      } finally {
        process.kill(stalled.pid, 'SIGCONT');
      }
      expect(signed.result!.signers).toEqual(
        [cluster.node('bravo').identity.nodeId, cluster.node('charlie').identity.nodeId].sort(),
      );
      const key = hexToBytes(keyOf('frost-ed25519').publicKey!);
      expect(ed25519.verify(hexToBytes(signed.result!.signature), hexToBytes(message), key)).toBe(
        true,
      );
      const story = await cluster.api<{ entries: AuditEntry[] }>(
        'GET',
        `/v1/orgs/${cluster.orgId}/audit?limit=500`,
      );
      const retry = story.body.entries.find(
        (e) => e.subject === request.id && e.action === 'signature.retrying',
      );
      expect(retry?.details).toMatchObject({
        round: 1,
        culprits: [cluster.node('alpha').identity.nodeId],
      });
    },
    STEP_TIMEOUT,
  );

  it(
    'with one node killed, chooses the other authorised pair and 2-of-3 still signs',
    async () => {
      const victim = cluster.node('alpha');
      await victim.process!.stop('SIGKILL');
      await pollUntil(
        async () =>
          (
            await cluster.api<SigningNodeInfo>(
              'GET',
              `/v1/orgs/${cluster.orgId}/nodes/${victim.identity.nodeId}`,
            )
          ).body,
        (n) => n.status === 'disconnected',
        10_000,
        'the server to see the node gone',
      );
      for (const scheme of ['frost-ed25519', 'ecdsa-secp256k1'] as const) {
        const data = bytesToHex(randomBytes(32));
        const signed = await approveAndWait(await ask(scheme, data));
        expect(signed.result!.signers).toEqual(
          [cluster.node('bravo').identity.nodeId, cluster.node('charlie').identity.nodeId].sort(),
        );
        const key = hexToBytes(keyOf(scheme).publicKey!);
        const signature = hexToBytes(signed.result!.signature);
        const valid =
          scheme === 'frost-ed25519'
            ? ed25519.verify(signature, hexToBytes(data), key)
            : secp256k1.verify(signature, hexToBytes(data), key, { prehash: false });
        expect(valid).toBe(true);
      }
    },
    STEP_TIMEOUT,
  );
  it(
    "records the whole story in the organisation's audit log, which verifies",
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
      const actions = new Set(page.body.entries.map((e) => e.action));
      for (const action of [
        'organisation.created',
        'node.enrolled',
        'api-key.created',
        'vault.created',
        'vault.key-generated',
        'vault.activated',
        'signature.requested',
        'signature.approved',
        'signature.signing',
        'signature.signed',
      ]) {
        expect(actions).toContain(action);
      }
    },
    STEP_TIMEOUT,
  );
});
