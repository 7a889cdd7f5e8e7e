/**
 * `coffer tss` with threshold ECDSA (ecdsa-secp256k1, DKLs23) through the real bin: keygen
 * for the tree, signing a 32-byte digest by an authorised set, verification by noble
 * and by OpenSSL (node:crypto), public-key recovery from the recovery id, refusal of an
 * unauthorised set and of a message that is not a digest, and import + combine round trip.
 */
import { createPublicKey, createHash, verify as opensslVerify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { cofferJson, lastLine, runCoffer, tempDir, writeTreeFile } from './run-coffer.js';

interface SignOut {
  scheme: string;
  publicKey: string;
  signers: string[];
  signature: string;
  recovery: number;
}

const message = Buffer.from('transfer 1 BTC to the cold wallet', 'utf8');
const digest = createHash('sha256').update(message).digest();

/** DER encoding of a compact r||s signature, for OpenSSL. */
function der(compact: Buffer): Buffer {
  const int = (b: Buffer) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    return Buffer.concat([
      Buffer.from([0x02, v.length + (v[0]! & 0x80 ? 1 : 0)]),
      v[0]! & 0x80 ? Buffer.from([0]) : Buffer.alloc(0),
      v,
    ]);
  };
  const body = Buffer.concat([int(compact.subarray(0, 32)), int(compact.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

function opensslAccepts(publicKeyHex: string, signatureHex: string): boolean {
  const point = secp256k1.Point.fromHex(publicKeyHex).toAffine();
  const b64 = (n: bigint) =>
    Buffer.from(n.toString(16).padStart(64, '0'), 'hex').toString('base64url');
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'secp256k1', x: b64(point.x), y: b64(point.y) },
    format: 'jwk',
  });
  return opensslVerify('sha256', message, key, der(Buffer.from(signatureHex, 'hex')));
}

describe('coffer tss with ecdsa-secp256k1', () => {
  const dir = tempDir();
  const shares = join(dir, 'shares');
  let publicKey = '';

  beforeAll(async () => {
    const key = await cofferJson<{ publicKey: string }>([
      ...['tss', 'keygen', '--scheme', 'ecdsa-secp256k1'],
      ...['--structure', writeTreeFile(dir), '--out', shares],
    ]);
    publicKey = key.publicKey;
  }, 120_000);

  it('signs a digest with an authorised set of the tree; noble and OpenSSL verify it', async () => {
    const signed = await cofferJson<SignOut>([
      ...['tss', 'sign', '--shares', shares, '--signers', 'ops2,ops3,api1,head'],
      ...['--message', digest.toString('hex')],
    ]);
    expect(signed).toMatchObject({ scheme: 'ecdsa-secp256k1', publicKey });
    expect(publicKey).toMatch(/^0[23][0-9a-f]{64}$/);
    expect(signed.signature).toMatch(/^[0-9a-f]{128}$/);
    expect([0, 1]).toContain(signed.recovery);
    const sig = secp256k1.Signature.fromBytes(Buffer.from(signed.signature, 'hex'));
    expect(sig.s <= secp256k1.Point.Fn.ORDER / 2n).toBe(true);
    expect(sig.addRecoveryBit(signed.recovery).recoverPublicKey(digest).toHex(true)).toBe(
      publicKey,
    );
    expect(opensslAccepts(publicKey, signed.signature)).toBe(true);
    const verified = await runCoffer([
      ...['tss', 'verify', '--scheme', 'ecdsa-secp256k1', '--public-key', publicKey],
      ...['--message', digest.toString('hex'), '--signature', signed.signature],
    ]);
    expect(verified.code).toBe(0);
    const tampered =
      signed.signature.slice(0, -2) + (signed.signature.endsWith('00') ? '01' : '00');
    const rejected = await runCoffer([
      ...['tss', 'verify', '--scheme', 'ecdsa-secp256k1', '--public-key', publicKey],
      ...['--message', digest.toString('hex'), '--signature', tampered],
    ]);
    expect(rejected.code).toBe(1);
  });

  it('refuses an unauthorised set, naming the structure', async () => {
    const run = await runCoffer([
      ...['tss', 'sign', '--shares', shares, '--signers', 'ops1,api1,head'],
      ...['--message', digest.toString('hex')],
    ]);
    expect(run.code).toBe(1);
    expect(lastLine(run.stderr)).toMatch(/3of\(2of\(ops1,ops2,ops3\),1of\(api1,api2\),head\)/);
  });

  it('refuses a message that is not a 32-byte digest', async () => {
    const run = await runCoffer([
      ...['tss', 'sign', '--shares', shares, '--signers', 'ops1,ops2,api1,head'],
      ...['--message', 'abcd'],
    ]);
    expect(run.code).toBe(1);
    expect(lastLine(run.stderr)).toMatch(/32-byte digest/);
  });

  it('imports a key, signs under it, and combine recovers it (2of3)', async () => {
    const importDir = tempDir();
    const secret = secp256k1.utils.randomSecretKey();
    const keyFile = join(importDir, 'key.hex');
    writeFileSync(keyFile, Buffer.from(secret).toString('hex'));
    const out = join(importDir, 'shares');
    const imported = await cofferJson<{ publicKey: string }>([
      ...['tss', 'import', '--scheme', 'ecdsa-secp256k1', '--structure', '2of3'],
      ...['--key-file', keyFile, '--out', out],
    ]);
    expect(imported.publicKey).toBe(
      Buffer.from(secp256k1.getPublicKey(secret, true)).toString('hex'),
    );
    const signed = await cofferJson<SignOut>([
      ...[
        'tss',
        'sign',
        '--shares',
        out,
        '--signers',
        'p1,p3',
        '--message',
        digest.toString('hex'),
      ],
    ]);
    expect(
      secp256k1.verify(
        Buffer.from(signed.signature, 'hex'),
        digest,
        secp256k1.getPublicKey(secret),
        {
          prehash: false,
        },
      ),
    ).toBe(true);
    const combined = await cofferJson<{ privateKey: string }>([
      ...['tss', 'combine', '--shares', out, '--parties', 'p2,p3'],
    ]);
    expect(combined.privateKey).toBe(Buffer.from(secret).toString('hex'));
  }, 60_000);
});
