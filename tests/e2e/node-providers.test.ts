/**
 * System tests of the three keystore providers in real `coffer node` processes (issue 4,
 * "the keystore works with all three key providers, including softhsm2"): one node keeps
 * its keystore under a PKCS#11 key on a softhsm2 token, one under an environment KMS key,
 * one under a passphrase. Together they run a 2-of-3 DKG and FROST-sign with the pkcs11 and
 * kms nodes (noble verifies); each restarts into the same identity and still holds its
 * share; a wrong PIN or KMS key is one clear line and a non-zero exit. Needs softhsm2
 * (skipped loudly without it, a failure under COFFER_REQUIRE_ALL_TESTS=1).
 */
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSoftHsmTokens, softHsmAvailable } from '../support/softhsm.js';
import type { SoftHsmTokens } from '../support/softhsm.js';
import { ApprovalFixture } from './support/approvals.js';
import { Cluster, newPassphrase } from './support/cluster.js';
import { TestCoordinator, agreedOutput, coordinatorIdentity } from './support/coordinator.js';
import { runCoffer } from './support/node-process.js';

const STEP_TIMEOUT = 90_000;

describe.runIf(softHsmAvailable())('coffer node: pkcs11 (softhsm2), kms and passphrase', () => {
  const approvals = new ApprovalFixture();
  const coordinatorId = coordinatorIdentity();
  const kmsKey = randomBytes(32).toString('base64');
  let tokens: SoftHsmTokens;
  let cluster: Cluster;
  let coordinator: TestCoordinator;
  let node: (name: string) => string;

  const sign = async (keyId: string, publicKey: string, requestId: string) => {
    const message = randomBytes(32).toString('hex');
    const output = agreedOutput<{ signature: string }>(
      await coordinator.run({
        sessionId: randomBytes(16).toString('hex'),
        protocol: 'frost-sign',
        params: { suite: 'frost-ed25519', keyId, message },
        participants: { p1: node('hsm'), p2: node('kms') },
        evidence: approvals.evidence(requestId, [message], [0, 1]),
      }),
    );
    return ed25519.verify(hexToBytes(output.signature), hexToBytes(message), hexToBytes(publicKey));
  };

  beforeAll(async () => {
    tokens = createSoftHsmTokens(['coffer-e2e-hsm']);
    cluster = await Cluster.create(
      [
        {
          name: 'hsm',
          setup: {
            provider: 'pkcs11',
            modulePath: tokens.modulePath,
            tokenLabel: 'coffer-e2e-hsm',
            pin: tokens.userPin,
          },
        },
        { name: 'kms', setup: { provider: 'kms', keyBase64: kmsKey, keyId: 'e2e-kms-key-1' } },
        { name: 'pass', setup: { provider: 'passphrase', passphrase: newPassphrase() } },
      ],
      { coordinator: coordinatorId.publicIdentity, approvals: approvals.enrolment() },
    );
    node = (name) => cluster.node(name).identity.nodeId;
    await cluster.startAll();
    coordinator = await TestCoordinator.connect(
      coordinatorId,
      cluster.relay.url,
      'e2e-relay',
      cluster.nodes.map((n) => n.identity),
    );
  }, STEP_TIMEOUT);

  afterAll(async () => {
    await coordinator?.close();
    await cluster?.close();
    tokens?.cleanup();
  }, STEP_TIMEOUT);

  it(
    'runs a DKG, signs, restarts each node into the same identity, and signs again',
    async () => {
      const key = agreedOutput<{ keyId: string; publicKey: string }>(
        await coordinator.run({
          sessionId: randomBytes(16).toString('hex'),
          protocol: 'dkg',
          params: { group: 'ed25519', structure: '2of3' },
          participants: { p1: node('hsm'), p2: node('kms'), p3: node('pass') },
        }),
      );
      expect(await sign(key.keyId, key.publicKey, 'req-p1')).toBe(true);
      for (const name of ['hsm', 'kms']) {
        expect(await cluster.node(name).process!.stop('SIGTERM')).toBe(0);
        const restarted = await cluster.start(name);
        expect((await restarted.health()).nodeId).toBe(node(name));
        const logs = JSON.stringify(restarted.logLines);
        expect(logs).not.toContain(kmsKey);
        expect(logs).not.toContain(tokens.userPin);
      }
      expect(await sign(key.keyId, key.publicKey, 'req-p2')).toBe(true);
    },
    STEP_TIMEOUT,
  );

  it(
    'refuses a wrong PIN and a wrong KMS key with one line each',
    async () => {
      await cluster.node('hsm').process!.stop('SIGTERM');
      await cluster.node('kms').process!.stop('SIGTERM');
      const pin = await runCoffer(['node', '--config', cluster.node('hsm').configFile], {
        COFFER_NODE_PKCS11_PIN: '999999',
      });
      expect(pin.code).not.toBe(0);
      expect(pin.stderr).toMatch(/^coffer: WRONG_PIN: [^\n]*\n$/);
      const kms = await runCoffer(['node', '--config', cluster.node('kms').configFile], {
        COFFER_KMS_KEY: randomBytes(32).toString('base64'),
      });
      expect(kms.code).not.toBe(0);
      expect(kms.stderr).toMatch(/^coffer: KEYSTORE_MISMATCH: [^\n]*\n$/);
    },
    STEP_TIMEOUT,
  );
});
