/**
 * A party's key share as every signing protocol consumes it: its secret share s_i under an
 * access structure, the group public key and every party's public verification share
 * S_j = s_j·G. Produced by the DKG (or the trusted-dealer import) and read by FROST and
 * DKLs23. The serialised form carries `{ version, group }` and rejects unknown fields
 * (CONVENTIONS.md habit 6); decoding checks the secret share against its verification share.
 */
import { bytesToHex, hexToBytes } from '../bytes.js';
import type { Group, GroupName, GroupPoint } from '../curves/group.js';
import { ed25519Group } from '../curves/ed25519.js';
import { secp256k1Group } from '../curves/secp256k1.js';
import { CryptoError } from '../errors.js';
import { AccessStructure, type PartyId, type ThresholdTree } from '../sharing/access-structure.js';

export interface KeyShare {
  readonly group: Group;
  readonly structure: AccessStructure;
  readonly party: PartyId;
  /** s_i: secret. Never logged, never sent. */
  readonly secretShare: bigint;
  readonly publicKey: GroupPoint;
  readonly verificationShares: ReadonlyMap<PartyId, GroupPoint>;
}

/** The public part of a key, identical for every party. */
export interface PublicKeyPackage {
  readonly group: Group;
  readonly structure: AccessStructure;
  readonly publicKey: GroupPoint;
  readonly verificationShares: ReadonlyMap<PartyId, GroupPoint>;
}

export interface PublicKeyPackageJson {
  readonly version: 1;
  readonly group: GroupName;
  readonly structure: ThresholdTree;
  readonly publicKey: string;
  readonly verificationShares: Record<PartyId, string>;
}

export interface KeyShareJson extends PublicKeyPackageJson {
  readonly party: PartyId;
  readonly secretShare: string;
}

export function groupByName(name: string): Group {
  if (name === 'secp256k1') return secp256k1Group;
  if (name === 'ed25519') return ed25519Group;
  throw new CryptoError('INVALID_ARGUMENT', `unknown group "${name}"`);
}

export function encodePublicKeyPackage(pkg: PublicKeyPackage): PublicKeyPackageJson {
  const verificationShares: Record<PartyId, string> = {};
  for (const party of pkg.structure.parties) {
    const s = pkg.verificationShares.get(party);
    if (!s) throw new CryptoError('INVALID_ARGUMENT', `no verification share for "${party}"`);
    verificationShares[party] = bytesToHex(pkg.group.encodePoint(s));
  }
  return {
    version: 1,
    group: pkg.group.name,
    structure: pkg.structure.toJSON(),
    publicKey: bytesToHex(pkg.group.encodePoint(pkg.publicKey)),
    verificationShares,
  };
}

export function encodeKeyShare(share: KeyShare): KeyShareJson {
  return {
    ...encodePublicKeyPackage(share),
    party: share.party,
    secretShare: bytesToHex(share.group.encodeScalar(share.secretShare)),
  };
}

const PUBLIC_FIELDS = ['version', 'group', 'structure', 'publicKey', 'verificationShares'];

function checkFields(
  value: unknown,
  allowed: readonly string[],
  what: string,
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CryptoError('INVALID_MESSAGE', `${what} must be a JSON object`);
  }
  const extra = Object.keys(value).filter((k) => !allowed.includes(k));
  if (extra.length > 0) {
    throw new CryptoError('INVALID_MESSAGE', `${what} has unknown field(s): ${extra.join(', ')}`);
  }
  const missing = allowed.filter((k) => !(k in value));
  if (missing.length > 0) {
    throw new CryptoError('INVALID_MESSAGE', `${what} lacks field(s): ${missing.join(', ')}`);
  }
  return value as Record<string, unknown>;
}

export function decodePublicKeyPackage(value: unknown): PublicKeyPackage {
  const v = checkFields(value, PUBLIC_FIELDS, 'public key package');
  if (v.version !== 1) throw new CryptoError('INVALID_MESSAGE', 'unsupported version');
  const group = groupByName(String(v.group));
  const structure = AccessStructure.fromJSON(v.structure);
  const point = (hex: unknown, what: string): GroupPoint => {
    if (typeof hex !== 'string') throw new CryptoError('INVALID_MESSAGE', `${what} must be hex`);
    return group.decodePoint(hexToBytes(hex, what));
  };
  const shares = checkFields(v.verificationShares, structure.parties, 'verificationShares');
  const verificationShares = new Map<PartyId, GroupPoint>();
  for (const party of structure.parties) {
    verificationShares.set(party, point(shares[party], `verification share of ${party}`));
  }
  return { group, structure, publicKey: point(v.publicKey, 'publicKey'), verificationShares };
}

export function decodeKeyShare(value: unknown): KeyShare {
  const v = checkFields(value, [...PUBLIC_FIELDS, 'party', 'secretShare'], 'key share');
  const { party, secretShare, ...publicPart } = v;
  const pkg = decodePublicKeyPackage(publicPart);
  if (typeof party !== 'string' || !pkg.structure.hasParty(party)) {
    throw new CryptoError('INVALID_MESSAGE', 'key share names no party of its structure');
  }
  if (typeof secretShare !== 'string') {
    throw new CryptoError('INVALID_MESSAGE', 'secretShare must be hex');
  }
  const s = pkg.group.decodeScalar(hexToBytes(secretShare, 'secretShare'));
  if (!pkg.group.baseMul(s).equals(pkg.verificationShares.get(party)!)) {
    throw new CryptoError(
      'INVALID_SHARE',
      `secret share does not match the verification share of ${party}`,
    );
  }
  return { ...pkg, party, secretShare: s };
}
