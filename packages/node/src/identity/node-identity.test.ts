/**
 * Node identity: generated once and stable across restarts, public export for enrolment,
 * Ed25519 sign/verify (RFC 8032), X25519 agreement (RFC 7748) with small-order keys refused,
 * the transport's `LocalNode` shape, and secrets kept out of JSON, inspect and the record file.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeError } from '../errors.js';
import { openKmsProvider } from '../keystore/kms.js';
import { expectCode } from '../keystore/provider-contract.testkit.js';
import { Keystore } from '../keystore/store.js';
import { IDENTITY_RECORD, NodeIdentity, nodeIdOf, verify } from './node-identity.js';

const root = mkdtempSync(join(tmpdir(), 'coffer-identity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = {
  COFFER_KMS_KEY: randomBytes(32).toString('base64'),
  COFFER_KMS_KEY_ID: 'identity-test',
};
let counter = 0;
const openStore = async (directory = join(root, `ks${++counter}`)): Promise<Keystore> =>
  Keystore.open({ directory, provider: await openKmsProvider({ env }), createIfMissing: true });
const message = new TextEncoder().encode('dkg round 1 broadcast');

describe('node identity', () => {
  it('is generated on first start and identical on every later start', async () => {
    const dir = join(root, 'stable');
    const first = await openStore(dir);
    const created = await NodeIdentity.loadOrCreate(first);
    await first.close();
    for (let i = 0; i < 2; i += 1) {
      const store = await openStore(dir);
      const loaded = await NodeIdentity.loadOrCreate(store);
      expect(loaded.publicIdentity()).toEqual(created.publicIdentity());
      expect(verify(created.signingPublicKey, message, loaded.sign(message))).toBe(true);
      expect(await store.list()).toEqual([IDENTITY_RECORD]);
      await store.close();
    }
  });

  it('exports { nodeId, signingKey, encryptionKey } with nodeId derived from both keys', async () => {
    const store = await openStore();
    const identity = await NodeIdentity.loadOrCreate(store);
    await store.close();
    const exported = identity.publicIdentity();
    expect(Object.keys(exported).sort()).toEqual(['encryptionKey', 'nodeId', 'signingKey']);
    expect(exported.signingKey).toMatch(/^[0-9a-f]{64}$/);
    expect(exported.encryptionKey).toMatch(/^[0-9a-f]{64}$/);
    expect(exported.nodeId).toMatch(/^[0-9a-f]{32}$/);
    expect(exported.nodeId).toBe(nodeIdOf(identity.signingPublicKey, identity.encryptionPublicKey));
    expect(nodeIdOf(identity.signingPublicKey, randomBytes(32))).not.toBe(exported.nodeId);
  });

  it('signs with Ed25519 and verifies strictly; wrong key, message or signature fail', async () => {
    const store = await openStore();
    const identity = await NodeIdentity.loadOrCreate(store);
    await store.close();
    const signature = identity.sign(message);
    expect(ed25519.verify(signature, message, identity.signingPublicKey)).toBe(true);
    expect(verify(identity.signingPublicKey, message, signature)).toBe(true);
    expect(verify(identity.signingPublicKey, new TextEncoder().encode('other'), signature)).toBe(
      false,
    );
    expect(verify(ed25519.keygen().publicKey, message, signature)).toBe(false);
    const bad = signature.slice();
    bad[10] = (bad[10] ?? 0) ^ 1;
    expect(verify(identity.signingPublicKey, message, bad)).toBe(false);
    expect(verify(identity.signingPublicKey, message, signature.subarray(0, 63))).toBe(false);
    expect(verify(new Uint8Array(31), message, signature)).toBe(false);
  });

  it('agrees on an X25519 shared secret with a peer and refuses small-order keys', async () => {
    const store = await openStore();
    const identity = await NodeIdentity.loadOrCreate(store);
    await store.close();
    const peer = x25519.keygen();
    const ours = identity.sharedSecret(peer.publicKey);
    expect(ours).toEqual(x25519.getSharedSecret(peer.secretKey, identity.encryptionPublicKey));
    await expectCode(
      Promise.resolve().then(() => identity.sharedSecret(new Uint8Array(32))),
      'INVALID_PUBLIC_KEY',
    );
    const one = new Uint8Array(32);
    one[0] = 1;
    await expectCode(
      Promise.resolve().then(() => identity.sharedSecret(one)),
      'INVALID_PUBLIC_KEY',
    );
    await expectCode(
      Promise.resolve().then(() => identity.sharedSecret(new Uint8Array(31))),
      'INVALID_PUBLIC_KEY',
    );
  });

  it('offers the LocalNode shape the transport uses', async () => {
    const store = await openStore();
    const identity = await NodeIdentity.loadOrCreate(store);
    await store.close();
    const local = identity.toLocalNode();
    expect(local.identity.nodeId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(verify(local.identity.signingPublicKey, message, local.signer.sign(message))).toBe(true);
    const peer = x25519.keygen();
    expect(local.signer.x25519SharedSecret(peer.publicKey)).toEqual(
      identity.sharedSecret(peer.publicKey),
    );
  });

  it('keeps secrets out of JSON, inspect, errors and the record file', async () => {
    const dir = join(root, 'secrets');
    const store = await openStore(dir);
    const identity = await NodeIdentity.loadOrCreate(store);
    const record = await store.get(IDENTITY_RECORD);
    await store.close();
    const signingSecretHex = bytesToHex(record.slice(1, 33));
    const encryptionSecretHex = bytesToHex(record.slice(33, 65));
    expect(ed25519.getPublicKey(record.slice(1, 33))).toEqual(identity.signingPublicKey);
    const shown = [
      JSON.stringify(identity),
      inspect(identity, { depth: 5, showHidden: true }),
      readFileSync(join(dir, 'records', 'identity.sealed'), 'utf8'),
    ].join('\n');
    for (const secret of [signingSecretHex, encryptionSecretHex]) {
      expect(shown).not.toContain(secret);
      expect(shown).not.toContain(Buffer.from(secret, 'hex').toString('base64'));
    }
    expect(JSON.parse(JSON.stringify(identity))).toEqual(identity.publicIdentity());
  });

  it('refuses a malformed identity record and works no more after destroy()', async () => {
    const store = await openStore();
    await store.put(IDENTITY_RECORD, Uint8Array.of(2, ...new Uint8Array(64)));
    const error = await NodeIdentity.load(store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect(error).toMatchObject({ code: 'IDENTITY_INVALID', record: IDENTITY_RECORD });
    await store.delete(IDENTITY_RECORD);
    await expectCode(NodeIdentity.load(store), 'RECORD_NOT_FOUND');
    const identity = await NodeIdentity.loadOrCreate(store);
    await store.close();
    identity.destroy();
    await expectCode(
      Promise.resolve().then(() => identity.sign(message)),
      'KEYSTORE_LOCKED',
    );
    expect(identity.publicIdentity().nodeId).toMatch(/^[0-9a-f]{32}$/);
  });
});
