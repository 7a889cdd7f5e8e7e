/**
 * The files of an offline ceremony and their checks, shared by every `coffer tss` command:
 * `DIR/<party>.share.json` (one party's share: `{ keyShare, chainCode, keyId }`, encrypted by
 * share-file.ts when a passphrase is given) and `DIR/public.json` (scheme, structure, public
 * key, public key package, chain code, key id). Readers check that every share belongs to
 * the key public.json names (same scheme, key id and public key), so shares of two keys are
 * never mixed.
 *
 * The key id is SHA-256 over a domain tag, the scheme, the canonical structure and the public
 * key (first 16 bytes, hex): it names the key, not a ceremony, and is public.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  AccessStructure,
  bytesToHex,
  CryptoError,
  equalBytes,
  hexToBytes,
  transcriptHash,
  type PartyId,
  type ThresholdTree,
} from '@coffer/crypto';
import { CliError, usageError } from '../cli-error.js';
import { schemeByName } from './registry.js';
import type { TssKeyMaterial, TssScheme } from './scheme.js';
import {
  readPublicFile,
  readShareFile,
  shareFilePath,
  writeFileAtomic,
  writeShareFile,
} from './share-file.js';

export const PUBLIC_FILE = 'public.json';

/** The content of public.json. */
export interface PublicFile {
  readonly version: 1;
  readonly kind: 'coffer-tss-public';
  readonly scheme: string;
  readonly structure: ThresholdTree;
  readonly structureText: string;
  readonly publicKey: string;
  readonly publicKeyPackage: unknown;
  readonly chainCode: string;
  readonly keyId: string;
}

/** The (decrypted) content of a share file. */
interface ShareContent {
  readonly keyShare: unknown;
  readonly chainCode: string;
  readonly keyId: string;
}

/** A ceremony directory as read back from public.json. */
export interface Ceremony {
  readonly dir: string;
  readonly scheme: TssScheme;
  readonly structure: AccessStructure;
  readonly publicKey: Uint8Array;
  readonly keyId: string;
}

/** Party names become file names: keep them to a portable, traversal-free alphabet. */
const SAFE_PARTY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * `--structure`: the text form (`2of3`, `2of(a,b,c)`) or the path of a JSON tree file
 * (read when the argument names an existing file). Usage error when it does not parse.
 */
export function structureFromOption(value: string | undefined): AccessStructure {
  if (value === undefined) throw usageError('--structure is required (e.g. 2of3 or a tree file)');
  let structure: AccessStructure;
  try {
    if (existsSync(value) && statSync(value).isFile()) {
      structure = AccessStructure.parse(readFileSync(value, 'utf8'));
    } else {
      structure = AccessStructure.parse(value);
    }
  } catch (error) {
    if (error instanceof CryptoError) throw usageError(`--structure: ${error.message}`);
    throw usageError(`--structure: cannot read ${value}`);
  }
  const unsafe = structure.parties.find((p) => !SAFE_PARTY.test(p));
  if (unsafe !== undefined) {
    throw usageError(`--structure: party name "${unsafe}" must match ${SAFE_PARTY.source}`);
  }
  return structure;
}

/** `--signers a,b` / `--parties a,b`: distinct, non-empty names. */
export function partyListOption(value: string | undefined, option: string): PartyId[] {
  if (value === undefined) throw usageError(`${option} is required (comma-separated party names)`);
  const parties = value.split(',').map((p) => p.trim());
  if (parties.some((p) => p === '')) throw usageError(`${option}: empty party name`);
  if (new Set(parties).size !== parties.length) {
    throw usageError(`${option}: a party is named twice`);
  }
  return parties;
}

export function keyIdOf(scheme: string, structure: AccessStructure, publicKey: Uint8Array): string {
  return bytesToHex(
    transcriptHash('coffer/tss/key-id/v1', scheme, structure.canonicalJson(), publicKey).slice(
      0,
      16,
    ),
  );
}

/**
 * Writes every share file and public.json into `dir` (created if absent). Refuses, before
 * writing anything, when any of those files already exists.
 */
export async function writeCeremony(
  dir: string,
  scheme: TssScheme,
  structure: AccessStructure,
  material: TssKeyMaterial,
  passphrase: string | undefined,
): Promise<{ keyId: string }> {
  const targets = [...structure.parties.map((p) => shareFilePath(dir, p)), join(dir, PUBLIC_FILE)];
  const existing = targets.find((path) => existsSync(path));
  if (existing !== undefined) {
    throw new CliError(`${existing} already exists; refusing to overwrite key material`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyId = keyIdOf(scheme.name, structure, material.publicKey);
  const chainCode = bytesToHex(material.chainCode);
  await Promise.all(
    structure.parties.map((party) => {
      const keyShare = material.keyShares.get(party);
      if (keyShare === undefined) throw new CliError(`no key share was produced for ${party}`);
      const share: ShareContent = { keyShare, chainCode, keyId };
      return writeShareFile(
        dir,
        { version: 1, kind: 'coffer-tss-share', scheme: scheme.name, party, share },
        passphrase,
      );
    }),
  );
  const publicFile: PublicFile = {
    version: 1,
    kind: 'coffer-tss-public',
    scheme: scheme.name,
    structure: structure.toJSON(),
    structureText: structure.text(),
    publicKey: bytesToHex(material.publicKey),
    publicKeyPackage: material.publicKeyPackage,
    chainCode,
    keyId,
  };
  writeFileAtomic(join(dir, PUBLIC_FILE), `${JSON.stringify(publicFile, null, 2)}\n`, 0o644);
  return { keyId };
}

function field(obj: Record<string, unknown>, name: string, path: string): string {
  const value = obj[name];
  if (typeof value !== 'string') throw new CliError(`${path}: "${name}" must be a string`);
  return value;
}

/** Reads and checks public.json of a ceremony directory. */
export function readCeremony(dir: string): Ceremony {
  const path = join(dir, PUBLIC_FILE);
  if (!existsSync(path)) throw new CliError(`${path} not found: is ${dir} a share directory?`);
  const raw = readPublicFile(dir);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CliError(`${path} is not a JSON object`);
  }
  const file = raw as Record<string, unknown>;
  if (file.version !== 1 || file.kind !== 'coffer-tss-public') {
    throw new CliError(`${path} is not a version-1 coffer public file`);
  }
  const schemeName = field(file, 'scheme', path);
  const scheme = schemeByName(schemeName);
  if (!scheme) throw new CliError(`${path} names an unknown scheme "${schemeName}"`);
  try {
    const structure = AccessStructure.fromJSON(file.structure);
    const publicKey = hexToBytes(field(file, 'publicKey', path), 'publicKey');
    if (!equalBytes(scheme.publicKeyOfPackage(file.publicKeyPackage), publicKey)) {
      throw new CliError(`${path}: publicKey does not match its publicKeyPackage`);
    }
    const keyId = field(file, 'keyId', path);
    if (keyId !== keyIdOf(scheme.name, structure, publicKey)) {
      throw new CliError(`${path}: keyId does not match the scheme, structure and public key`);
    }
    return { dir, scheme, structure, publicKey, keyId };
  } catch (error) {
    if (error instanceof CryptoError) throw new CliError(`${path}: ${error.message}`);
    throw error;
  }
}

/**
 * Reads (decrypting when needed) the key shares of `parties` and checks that each belongs to
 * the ceremony's key. Decryption runs in parallel (scrypt uses the libuv thread pool).
 */
export async function readKeyShares(
  ceremony: Ceremony,
  parties: readonly PartyId[],
  passphrase: string | undefined,
): Promise<unknown[]> {
  const files = await Promise.all(
    parties.map((party) => readShareFile(ceremony.dir, party, passphrase)),
  );
  return files.map((file) => {
    const path = shareFilePath(ceremony.dir, file.party);
    if (file.scheme !== ceremony.scheme.name) {
      throw new CliError(
        `${path} is a ${file.scheme} share, but the key is ${ceremony.scheme.name}`,
      );
    }
    const content = file.share as Partial<ShareContent> | null;
    if (typeof content !== 'object' || content === null || typeof content.keyId !== 'string') {
      throw new CliError(`${path} holds no coffer key share`);
    }
    if (content.keyId !== ceremony.keyId) {
      throw new CliError(
        `${path} belongs to a different key (keyId ${content.keyId}, expected ${ceremony.keyId})`,
      );
    }
    let described: { party: PartyId; publicKey: Uint8Array };
    try {
      described = ceremony.scheme.describeKeyShare(content.keyShare);
    } catch (error) {
      if (error instanceof CryptoError) throw new CliError(`${path}: ${error.message}`);
      throw error;
    }
    if (described.party !== file.party || !equalBytes(described.publicKey, ceremony.publicKey)) {
      throw new CliError(`${path} belongs to a different key or party than ${PUBLIC_FILE} names`);
    }
    return content.keyShare;
  });
}
