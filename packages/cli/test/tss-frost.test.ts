/**
 * `coffer tss keygen | sign | verify` end to end through the real bin, for every FROST
 * scheme with 2of3 and the hierarchical tree of issue 2: signatures verify with noble's
 * independent verifiers, a tampered signature fails, an unauthorised signer set is refused
 * naming the structure, and the Taproot tweak signs for the BIP341 output key.
 */
import { join } from 'node:path';
import { schnorr } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { cofferJson, hex, lastLine, runCoffer, tempDir, writeTreeFile } from './run-coffer.js';

interface KeygenOut {
  scheme: string;
  structure: string;
  publicKey: string;
  parties: string[];
}
interface SignOut {
  scheme: string;
  publicKey: string;
  signers: string[];
  signature: string;
}

const PUBLIC_KEY_BYTES = { 'frost-ed25519': 32, 'frost-secp256k1': 33, 'frost-taproot': 32 };
const SIGNATURE_BYTES = { 'frost-ed25519': 64, 'frost-secp256k1': 65, 'frost-taproot': 64 };
const SCHEMES = Object.keys(PUBLIC_KEY_BYTES) as (keyof typeof PUBLIC_KEY_BYTES)[];

const CASES = SCHEMES.flatMap((scheme) => [
  { scheme, structure: '2of3', signers: ['p1', 'p3'], unauthorised: ['p2'] },
  {
    scheme,
    structure: 'tree',
    signers: ['ops1', 'ops3', 'api2', 'head'],
    unauthorised: ['ops1', 'api1', 'head'],
  },
]);

describe.concurrent('coffer tss keygen, sign and verify', () => {
  it.each(CASES)(
    '$scheme with $structure: an authorised set signs and noble verifies; tampering and unauthorised sets fail',
    async ({ scheme, structure, signers, unauthorised }) => {
      const dir = tempDir();
      const structureArg = structure === 'tree' ? writeTreeFile(dir) : structure;
      const shares = join(dir, 'shares');
      const key = await cofferJson<KeygenOut>([
        'tss',
        'keygen',
        '--scheme',
        scheme,
        '--structure',
        structureArg,
        '--out',
        shares,
      ]);
      expect(key.scheme).toBe(scheme);
      expect(key.publicKey).toHaveLength(2 * PUBLIC_KEY_BYTES[scheme]);
      expect(key.parties).toEqual(
        structure === 'tree'
          ? ['ops1', 'ops2', 'ops3', 'api1', 'api2', 'head']
          : ['p1', 'p2', 'p3'],
      );
      expect(key.structure).toBe(
        structure === 'tree' ? '3of(2of(ops1,ops2,ops3),1of(api1,api2),head)' : '2of3',
      );

      const message = hex(`pay 1 coin, ${scheme}/${structure}`);
      const signed = await cofferJson<SignOut>([
        'tss',
        'sign',
        '--shares',
        shares,
        '--signers',
        signers.join(','),
        '--message',
        message,
      ]);
      expect(signed).toMatchObject({ scheme, publicKey: key.publicKey, signers });
      expect(signed.signature).toHaveLength(2 * SIGNATURE_BYTES[scheme]);

      const verifyArgs = ['tss', 'verify', '--scheme', scheme, '--public-key', key.publicKey];
      const valid = await runCoffer([
        ...verifyArgs,
        '--message',
        message,
        '--signature',
        signed.signature,
      ]);
      expect(valid).toMatchObject({ code: 0 });
      expect(JSON.parse(valid.stdout)).toEqual({ valid: true });

      const flipped = signed.signature.slice(0, -1) + (signed.signature.endsWith('0') ? '1' : '0');
      const tampered = await runCoffer([
        ...verifyArgs,
        '--message',
        message,
        '--signature',
        flipped,
      ]);
      expect(tampered.code).toBe(1);
      expect(lastLine(tampered.stderr)).toBe(`coffer: signature is not valid for ${scheme}`);
      const otherMessage = await runCoffer([
        ...verifyArgs,
        '--message',
        hex('another message'),
        '--signature',
        signed.signature,
      ]);
      expect(otherMessage.code).toBe(1);

      const refused = await runCoffer([
        'tss',
        'sign',
        '--shares',
        shares,
        '--signers',
        unauthorised.join(','),
        '--message',
        message,
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(refused.stderr).toContain('UNAUTHORIZED_SET');
      expect(refused.stderr).toContain(key.structure);
    },
  );

  it('frost-taproot with --taproot-tweak and --taproot-merkle-root signs for the BIP341 output key', async () => {
    const dir = tempDir();
    const key = await cofferJson<KeygenOut>([
      'tss',
      'keygen',
      '--scheme',
      'frost-taproot',
      '--structure',
      '2of3',
      '--out',
      dir,
    ]);
    const message = 'ab'.repeat(32);
    const merkleRoot = 'cd'.repeat(32);
    const [bip86, scripted] = await Promise.all([
      cofferJson<SignOut>([
        'tss',
        'sign',
        '--shares',
        dir,
        '--signers',
        'p2,p3',
        '--message',
        message,
        '--taproot-tweak',
      ]),
      cofferJson<SignOut>([
        'tss',
        'sign',
        '--shares',
        dir,
        '--signers',
        'p1,p2',
        '--message',
        message,
        '--taproot-merkle-root',
        merkleRoot,
      ]),
    ]);
    expect(bip86.publicKey).not.toBe(key.publicKey);
    expect(scripted.publicKey).not.toBe(key.publicKey);
    expect(scripted.publicKey).not.toBe(bip86.publicKey);
    for (const s of [bip86, scripted]) {
      expect(
        schnorr.verify(
          Buffer.from(s.signature, 'hex'),
          Buffer.from(message, 'hex'),
          Buffer.from(s.publicKey, 'hex'),
        ),
      ).toBe(true);
    }
  });

  it('a superset of an authorised set signs with the parties it needs', async () => {
    const dir = tempDir();
    await cofferJson([
      'tss',
      'keygen',
      '--scheme',
      'frost-ed25519',
      '--structure',
      '2of3',
      '--out',
      dir,
    ]);
    const signed = await cofferJson<SignOut>([
      'tss',
      'sign',
      '--shares',
      dir,
      '--signers',
      'p3,p1,p2',
      '--message',
      '00',
    ]);
    expect(signed.signers).toEqual(['p1', 'p2']);
  });
});
