/**
 * The `coffer node` configuration: strict parsing (unknown keys and secrets in the file are
 * errors naming the path), the three providers by name with their defaults, enrolment
 * checks (node id bound to the keys, no duplicates), loopback-only health, and the
 * environment overlay over a config file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { signApprovalPolicy } from '../approvals/index.js';
import { isNodeError } from '../errors.js';
import { nodeIdOf } from '../identity/node-identity.js';
import { loadNodeConfig } from './config-sources.js';
import { parseNodeConfig, requireRunnable } from './node-config.js';

function identity() {
  const signingKey = ed25519.keygen().publicKey;
  const encryptionKey = x25519.keygen().publicKey;
  return {
    nodeId: nodeIdOf(signingKey, encryptionKey),
    signingKey: bytesToHex(signingKey),
    encryptionKey: bytesToHex(encryptionKey),
  };
}

const minimal = { dataDir: '/var/lib/coffer', keystore: { provider: 'passphrase' } };

function configErrorOf(value: unknown): string {
  try {
    parseNodeConfig(value);
  } catch (error) {
    if (isNodeError(error, 'CONFIG_INVALID')) return error.message;
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('parseNodeConfig', () => {
  it('fills defaults for a minimal passphrase configuration', () => {
    expect(parseNodeConfig(minimal)).toEqual({
      dataDir: '/var/lib/coffer',
      keystore: { provider: 'passphrase', passphraseEnv: 'COFFER_NODE_PASSPHRASE' },
      health: { host: '127.0.0.1', port: 0 },
      sessions: { roundTimeoutMs: 30_000 },
      log: { level: 'info' },
    });
  });

  it('reads the pkcs11 and kms providers by name with their defaults', () => {
    const pkcs11 = parseNodeConfig({
      dataDir: 'd',
      keystore: { provider: 'pkcs11', modulePath: '/m.so', tokenLabel: 't' },
    });
    expect(pkcs11.keystore).toEqual({
      provider: 'pkcs11',
      modulePath: '/m.so',
      tokenLabel: 't',
      keyLabel: 'coffer-node',
      pinEnv: 'COFFER_NODE_PKCS11_PIN',
    });
    const kms = parseNodeConfig({ dataDir: 'd', keystore: { provider: 'kms', keyId: 'k1' } });
    expect(kms.keystore).toEqual({ provider: 'kms', keyEnv: 'COFFER_KMS_KEY', keyId: 'k1' });
  });

  it('rejects unknown keys, naming the path', () => {
    expect(configErrorOf({ ...minimal, relays: {} })).toMatch(
      /config: relays is not a known option/,
    );
    expect(
      configErrorOf({ ...minimal, keystore: { provider: 'passphrase', modulePath: '/m.so' } }),
    ).toMatch(/keystore.modulePath is not a known option/);
  });

  it('rejects secrets in the file and points at environment variables', () => {
    for (const key of ['passphrase', 'pin', 'key']) {
      const message = configErrorOf({
        ...minimal,
        keystore: { provider: 'passphrase', [key]: 'x' },
      });
      expect(message).toContain(`keystore.${key} is not allowed: secrets come from environment`);
      expect(message).not.toContain('"x"');
    }
  });

  it('rejects an unknown provider, a bad env var name and a non-loopback health host', () => {
    expect(configErrorOf({ dataDir: 'd', keystore: { provider: 'vault' } })).toMatch(
      /keystore.provider must be one of passphrase, pkcs11, kms/,
    );
    expect(
      configErrorOf({ dataDir: 'd', keystore: { provider: 'passphrase', passphraseEnv: 'a b' } }),
    ).toMatch(/passphraseEnv must be the name of an environment variable/);
    expect(configErrorOf({ ...minimal, health: { host: '0.0.0.0' } })).toMatch(/loopback/);
    expect(configErrorOf({ ...minimal, relay: { url: 'http://relay' } })).toMatch(/ws:\/\//);
  });

  it('binds enrolled node ids to their keys and refuses duplicates', () => {
    const coordinator = identity();
    const peer = identity();
    const ok = parseNodeConfig({ ...minimal, enrolment: { coordinator, peers: [peer] } });
    expect(ok.enrolment?.peers.map((p) => p.nodeId)).toEqual([peer.nodeId]);
    expect(
      configErrorOf({
        ...minimal,
        enrolment: { coordinator, peers: [{ ...peer, nodeId: identity().nodeId }] },
      }),
    ).toMatch(/enrolment.peers\[0\].nodeId does not match the keys/);
    expect(configErrorOf({ ...minimal, enrolment: { coordinator, peers: [coordinator] } })).toMatch(
      /repeats node id/,
    );
  });

  it('reads the organisations a node serves, refusing non-ids', () => {
    const coordinator = identity();
    const ok = parseNodeConfig({
      ...minimal,
      enrolment: { coordinator, organisations: ['org_1', 'org_2'] },
    });
    expect(ok.enrolment?.organisations).toEqual(['org_1', 'org_2']);
    expect(
      parseNodeConfig({ ...minimal, enrolment: { coordinator } }).enrolment,
    ).not.toHaveProperty('organisations');
    expect(
      configErrorOf({ ...minimal, enrolment: { coordinator, organisations: ['org 1'] } }),
    ).toMatch(/enrolment.organisations\[0\] is not an id/);
  });

  it('verifies the admin signatures of a signed approval policy', () => {
    const admin = ed25519.keygen();
    const approver = ed25519.keygen();
    const policy = {
      version: 1,
      vaultId: 'v1',
      policyVersion: 1,
      quorum: 1,
      approvers: [{ keyId: 'ap1', scheme: 'ed25519', publicKey: bytesToHex(approver.publicKey) }],
    } as const;
    const admins = {
      admins: [{ keyId: 'ad1', publicKey: bytesToHex(admin.publicKey) }],
      quorum: 1,
    };
    const enrolment = (secretKey: Uint8Array) => ({
      coordinator: identity(),
      approvals: {
        admins,
        signedPolicy: { policy, signatures: [signApprovalPolicy(policy, 'ad1', secretKey)] },
      },
    });
    expect(
      parseNodeConfig({ ...minimal, enrolment: enrolment(admin.secretKey) }).enrolment?.approvals,
    ).toEqual(policy);
    expect(configErrorOf({ ...minimal, enrolment: enrolment(ed25519.keygen().secretKey) })).toMatch(
      /enrolment.approvals POLICY_NOT_AUTHORISED/,
    );
  });

  it('requires relay and enrolment to run', () => {
    expect(() => requireRunnable(parseNodeConfig(minimal))).toThrow(/relay is required/);
  });
});

describe('loadNodeConfig', () => {
  it('overlays environment variables on the config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-config-'));
    const file = join(dir, 'node.json');
    writeFileSync(file, JSON.stringify({ ...minimal, relay: { url: 'ws://127.0.0.1:1' } }));
    const config = await loadNodeConfig({
      configFile: file,
      env: {
        COFFER_NODE_RELAY_URL: 'ws://127.0.0.1:2',
        COFFER_NODE_HEALTH_PORT: '9101',
        COFFER_NODE_KEYSTORE_PROVIDER: 'kms',
        COFFER_KMS_KEY_ID: 'ignored-here',
      },
    });
    expect(config.relay?.url).toBe('ws://127.0.0.1:2');
    expect(config.health.port).toBe(9101);
    expect(config.keystore).toEqual({ provider: 'kms', keyEnv: 'COFFER_KMS_KEY' });
  });

  it('names the file when it is missing or not JSON', async () => {
    await expect(loadNodeConfig({ configFile: '/nonexistent/c.json', env: {} })).rejects.toThrow(
      /cannot read config file \/nonexistent\/c.json \(ENOENT\)/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'coffer-config-'));
    writeFileSync(join(dir, 'bad.json'), '{');
    await expect(loadNodeConfig({ configFile: join(dir, 'bad.json'), env: {} })).rejects.toThrow(
      /is not valid JSON/,
    );
  });
});
