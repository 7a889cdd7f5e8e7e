/**
 * `coffer demo`: a real offline ceremony in a fresh temporary directory, narrated for a
 * newcomer. Distributed key generation for the hierarchical
 * structure 3of(2of(ops1,ops2,ops3),1of(api1,api2),head) with frost-taproot, frost-ed25519
 * and threshold ECDSA (DKLs23, signing the message's SHA-256 digest), a signature by an authorised quorum, independent verification, a tampered
 * signature and an unauthorised quorum refused. It runs the same command code as
 * `coffer tss …` (keygen, sign, verify), so nothing printed is canned.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessStructure, bytesToHex, CryptoError, hexToBytes, utf8ToBytes } from '@coffer/crypto';
import { parseOptions } from '../args.js';
import { CliError } from '../cli-error.js';
import { schemeByName } from '../tss/registry.js';
import type { Command } from './index.js';
import { tssKeygen } from './tss-keygen.js';
import { tssSign } from './tss-sign.js';
import { tssVerify } from './tss-verify.js';

const TREE = {
  threshold: 3,
  members: [
    { threshold: 2, members: ['ops1', 'ops2', 'ops3'] },
    { threshold: 1, members: ['api1', 'api2'] },
    'head',
  ],
};
const QUORUM = ['ops1', 'ops3', 'api2', 'head'];
const UNAUTHORISED = ['ops1', 'api1', 'head'];
const MESSAGE = 'Coffer demo: pay 0.1 BTC to the cold wallet';

interface KeygenOutput {
  readonly publicKey: string;
  readonly parties: readonly string[];
}
interface SignOutput {
  readonly publicKey: string;
  readonly signers: readonly string[];
  readonly signature: string;
}

const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: Math.round(performance.now() - start) };
}

async function verifies(scheme: string, publicKey: string, message: string, signature: string) {
  try {
    await tssVerify.run([
      '--scheme',
      scheme,
      '--public-key',
      publicKey,
      '--message',
      message,
      '--signature',
      signature,
    ]);
    return true;
  } catch (error) {
    if (error instanceof CliError) return false;
    throw error;
  }
}

/** One scheme's part of the story; returns the commands a newcomer can run next. */
async function ceremony(
  schemeName: string,
  dir: string,
  structureFile: string,
  step: number,
): Promise<string[]> {
  const scheme = schemeByName(schemeName)!;
  // ECDSA signs a 32-byte digest: the SHA-256 of the message, as Bitcoin and EVM chains do.
  const digestOnly = schemeName === 'ecdsa-secp256k1';
  const messageHex = digestOnly
    ? createHash('sha256').update(MESSAGE).digest('hex')
    : bytesToHex(utf8ToBytes(MESSAGE));
  const what = digestOnly ? `the SHA-256 digest of "${MESSAGE}"` : `"${MESSAGE}"`;
  say(`${step}. Distributed key generation, ${scheme.summary}`);
  const keygen = await timed(
    async () =>
      (await tssKeygen.run([
        '--scheme',
        schemeName,
        '--structure',
        structureFile,
        '--out',
        dir,
      ])) as KeygenOutput,
  );
  say(
    `   ${keygen.value.parties.length} parties, no dealer; the whole key never existed (${keygen.ms} ms)`,
  );
  say(`   public key: ${keygen.value.publicKey}`);
  say(
    `   share files: ${join(dir, '<party>.share.json')}, public data: ${join(dir, 'public.json')}`,
  );

  say(`${step + 1}. The authorised quorum ${QUORUM.join(', ')} signs ${what}`);
  const signed = await timed(
    async () =>
      (await tssSign.run([
        '--shares',
        dir,
        '--signers',
        QUORUM.join(','),
        '--message',
        messageHex,
      ])) as SignOutput,
  );
  say(`   signature: ${signed.value.signature} (${signed.ms} ms)`);

  const valid = await verifies(
    schemeName,
    signed.value.publicKey,
    messageHex,
    signed.value.signature,
  );
  say(
    `${step + 2}. Independent verification with @noble/curves (not Coffer's code): ${valid ? 'VALID' : 'INVALID'}`,
  );
  if (!valid) throw new CliError(`the demo's ${schemeName} signature did not verify`);
  const tampered = hexToBytes(signed.value.signature);
  tampered[tampered.length - 1]! ^= 1;
  const tamperedValid = await verifies(
    schemeName,
    signed.value.publicKey,
    messageHex,
    bytesToHex(tampered),
  );
  say(`   the same signature with one bit flipped: ${tamperedValid ? 'VALID (!)' : 'rejected'}`);
  if (tamperedValid) throw new CliError('a tampered signature verified');

  say(`${step + 3}. The unauthorised quorum ${UNAUTHORISED.join(', ')} tries to sign`);
  try {
    await tssSign.run([
      '--shares',
      dir,
      '--signers',
      UNAUTHORISED.join(','),
      '--message',
      messageHex,
    ]);
    throw new CliError('an unauthorised quorum was allowed to sign');
  } catch (error) {
    if (!(error instanceof CryptoError && error.code === 'UNAUTHORIZED_SET')) throw error;
    say(`   refused: ${error.message}`);
  }
  say();
  return [
    `npx coffer tss sign --shares ${dir} --signers ops2,ops3,api1,head --message ${messageHex}`,
    `npx coffer tss verify --scheme ${schemeName} --public-key ${signed.value.publicKey} \\\n    --message ${messageHex} --signature ${signed.value.signature}`,
  ];
}

export const demo: Command = {
  name: 'demo',
  summary: 'run a narrated offline ceremony in a temporary directory',
  section: 'ceremony',
  help: `Usage: coffer demo

Runs a real offline ceremony in a fresh temporary directory and narrates it: distributed key
generation for 3of(2of(ops1,ops2,ops3),1of(api1,api2),head) with frost-taproot,
frost-ed25519 and threshold ECDSA (ecdsa-secp256k1; about ten seconds, most of it the pairwise
oblivious-transfer setup), a signature by an authorised quorum, verification with @noble/curves, and a
tampered signature and an unauthorised quorum refused. The directory is kept so that the
printed commands can be tried next. Takes no options.
`,
  async run(args) {
    parseOptions(args, {});
    const root = mkdtempSync(join(tmpdir(), 'coffer-demo-'));
    const structureFile = join(root, 'structure.json');
    writeFileSync(structureFile, `${JSON.stringify(TREE)}\n`);
    const structure = AccessStructure.fromJSON(TREE);
    say('Coffer demo: an offline threshold ceremony, every party in this process');
    say(`Working directory: ${root}`);
    say();
    say(`Access structure ${structure.text()} (${structureFile}):`);
    say(`   ${structure.describe()}`);
    say();
    const next = [
      ...(await ceremony('frost-taproot', join(root, 'taproot'), structureFile, 1)),
      ...(await ceremony('frost-ed25519', join(root, 'ed25519'), structureFile, 5)),
      ...(await ceremony('ecdsa-secp256k1', join(root, 'ecdsa'), structureFile, 9)),
    ];
    say('Try it yourself (the share files above are unencrypted demo keys):');
    for (const command of next) say(`  ${command}`);
    say(`  npx coffer tss keygen --scheme frost-secp256k1 --structure 2of3 --out my-shares`);
    say(`  npx coffer tss keygen --help`);
    return undefined;
  },
};
