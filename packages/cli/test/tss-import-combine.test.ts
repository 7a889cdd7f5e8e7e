/**
 * `coffer tss import` and `coffer tss combine` through the real bin: an imported key's
 * printed public key is the one @noble/curves derives from it, its shares sign under that
 * key, and offline recovery by an authorised set returns the imported key (for Ed25519 the
 * RFC 8032 secret scalar) while an unauthorised set is refused.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { schnorr, secp256k1, secp256k1_FROST } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { cofferJson, hex, runCoffer, tempDir, writeTreeFile } from './run-coffer.js';

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromHex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

const secpKey = secp256k1.utils.randomSecretKey();
const edSeed = ed25519.utils.randomSecretKey();

const CASES = [
  {
    scheme: 'frost-ed25519',
    key: edSeed,
    publicKey: toHex(ed25519.getPublicKey(edSeed)),
    recovered: {
      privateScalar: toHex(
        ed25519.Point.Fn.toBytes(ed25519.utils.getExtendedPublicKey(edSeed).scalar),
      ),
    },
    verify: (sig: Uint8Array, msg: Uint8Array, pk: Uint8Array) => ed25519.verify(sig, msg, pk),
  },
  {
    scheme: 'frost-secp256k1',
    key: secpKey,
    publicKey: toHex(secp256k1.getPublicKey(secpKey)),
    recovered: { privateKey: toHex(secpKey) },
    verify: (sig: Uint8Array, msg: Uint8Array, pk: Uint8Array) =>
      secp256k1_FROST.verify(sig, msg, pk),
  },
  {
    scheme: 'frost-taproot',
    key: secpKey,
    publicKey: toHex(schnorr.getPublicKey(secpKey)),
    recovered: { privateKey: toHex(secpKey) },
    verify: (sig: Uint8Array, msg: Uint8Array, pk: Uint8Array) => schnorr.verify(sig, msg, pk),
  },
];

describe.concurrent('coffer tss import and combine', () => {
  it.each(CASES)(
    "$scheme: the imported key signs under noble's public key and combine returns it",
    async ({ scheme, key, publicKey, recovered, verify }) => {
      const dir = tempDir();
      const shares = join(dir, 'shares');
      const structure = writeTreeFile(dir);
      const imported = await cofferJson(
        [
          'tss',
          'import',
          '--scheme',
          scheme,
          '--structure',
          structure,
          '--out',
          shares,
          '--key-env',
          'COFFER_TEST_KEY',
        ],
        { COFFER_TEST_KEY: toHex(key) },
      );
      expect(imported).toMatchObject({ scheme, publicKey });

      const message = hex(`imported ${scheme}`);
      const signed = await cofferJson<{ publicKey: string; signature: string }>([
        'tss',
        'sign',
        '--shares',
        shares,
        '--signers',
        'ops2,ops3,api1,head',
        '--message',
        message,
      ]);
      expect(signed.publicKey).toBe(publicKey);
      expect(verify(fromHex(signed.signature), fromHex(message), fromHex(publicKey))).toBe(true);

      const combined = await runCoffer([
        'tss',
        'combine',
        '--shares',
        shares,
        '--parties',
        'ops1,ops2,api2,head',
      ]);
      expect(combined.code).toBe(0);
      expect(JSON.parse(combined.stdout)).toEqual({ scheme, publicKey, ...recovered });
      expect(combined.stderr).toContain('WHOLE PRIVATE KEY');

      const refused = await runCoffer([
        'tss',
        'combine',
        '--shares',
        shares,
        '--parties',
        'ops1,ops2,api1,api2',
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('UNAUTHORIZED_SET');
      expect(refused.stderr).toContain('3of(2of(ops1,ops2,ops3),1of(api1,api2),head)');
    },
  );

  it('reads the key from --key-file, and combine recovers a DKG key that signs', async () => {
    const dir = tempDir();
    const keyFile = join(dir, 'key.hex');
    writeFileSync(keyFile, `0x${toHex(secpKey)}\n`);
    const imported = await cofferJson([
      'tss',
      'import',
      '--scheme',
      'frost-taproot',
      '--structure',
      '2of3',
      '--out',
      join(dir, 'a'),
      '--key-file',
      keyFile,
    ]);
    expect(imported).toMatchObject({ publicKey: toHex(schnorr.getPublicKey(secpKey)) });

    const generated = await cofferJson<{ publicKey: string }>([
      'tss',
      'keygen',
      '--scheme',
      'frost-taproot',
      '--structure',
      '2of3',
      '--out',
      join(dir, 'b'),
    ]);
    const combined = await cofferJson<{ privateKey: string }>([
      'tss',
      'combine',
      '--shares',
      join(dir, 'b'),
      '--parties',
      'p1,p3',
    ]);
    expect(toHex(schnorr.getPublicKey(fromHex(combined.privateKey)))).toBe(generated.publicKey);
  });

  it('refuses a key given both ways, a key of the wrong length, and never echoes the key', async () => {
    const dir = tempDir();
    const keyFile = join(dir, 'key.hex');
    writeFileSync(keyFile, toHex(secpKey));
    const both = await runCoffer(
      [
        'tss',
        'import',
        '--scheme',
        'frost-taproot',
        '--structure',
        '2of3',
        '--out',
        join(dir, 'a'),
        '--key-file',
        keyFile,
        '--key-env',
        'COFFER_TEST_KEY',
      ],
      { COFFER_TEST_KEY: toHex(secpKey) },
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('coffer: give exactly one of --key-env VAR and --key-file FILE\n');
    const short = await runCoffer(
      [
        'tss',
        'import',
        '--scheme',
        'frost-ed25519',
        '--structure',
        '2of3',
        '--out',
        join(dir, 'b'),
        '--key-env',
        'COFFER_TEST_KEY',
      ],
      { COFFER_TEST_KEY: toHex(secpKey).slice(0, 62) },
    );
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('32-byte key');
    expect(short.stderr).not.toContain(toHex(secpKey).slice(0, 62));
  });
});
