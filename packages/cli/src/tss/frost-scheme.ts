/**
 * The FROST adapters of `coffer tss` (RFC 9591): one generic binding of @coffer/crypto's
 * DKG, trusted-dealer import and FROST signing, and three thin instances that only name the
 * suite, its group, how an imported key becomes a scalar and which independent verifier
 * checks it — FROST(Ed25519, SHA-512) (§6.1), FROST(secp256k1, SHA-256) (§6.5) and the
 * BIP340/Taproot variant (with the optional BIP341 key-path tweak).
 *
 * Key shares are stored as @coffer/crypto's versioned KeyShareJson, public material as
 * PublicKeyPackageJson; both reject unknown fields when read back.
 */
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  bytesToBigintBE,
  CryptoError,
  decodeKeyShare,
  decodePublicKeyPackage,
  ed25519Group,
  encodeKeyShare,
  encodePublicKeyPackage,
  frostVerifyingKey,
  runDkgLocally,
  secp256k1Group,
  signWithAllParties,
  splitSecretKey,
  type AccessStructure,
  type FrostSuiteName,
  type Group,
  type KeyShare,
  type PartyId,
} from '@coffer/crypto';
import type { TssKeyMaterial, TssScheme } from './scheme.js';
import {
  verifyBip340,
  verifyEd25519,
  verifyFrostSecp256k1,
  type IndependentVerifier,
} from './verify.js';

interface FrostSchemeOptions {
  readonly suite: FrostSuiteName;
  readonly group: Group;
  readonly summary: string;
  readonly importKeyFormat: string;
  readonly recoveredKeyFormat: string;
  /** The secret scalar of an imported key (32 bytes in the scheme's import format). */
  readonly importedScalar: (key: Uint8Array) => bigint;
  /** How `coffer tss combine` presents a recovered scalar. */
  readonly exportLabel: 'privateKey' | 'privateScalar';
  readonly encodeSecret: (secret: bigint) => Uint8Array;
  readonly verifier: IndependentVerifier;
}

function keyMaterial(
  suite: FrostSuiteName,
  shares: readonly KeyShare[],
  chainCode: Uint8Array,
): TssKeyMaterial {
  const first = shares[0];
  if (!first) throw new CryptoError('INVALID_ARGUMENT', 'no key shares');
  return {
    keyShares: new Map(shares.map((s) => [s.party, encodeKeyShare(s)])),
    publicKeyPackage: encodePublicKeyPackage(first),
    publicKey: frostVerifyingKey(suite, first),
    chainCode,
  };
}

function decodeShareOf(group: Group, json: unknown): KeyShare {
  const share = decodeKeyShare(json);
  if (share.group.name !== group.name) {
    throw new CryptoError(
      'INVALID_MESSAGE',
      `key share is for ${share.group.name}, not ${group.name}`,
    );
  }
  return share;
}

export function createFrostScheme(opts: FrostSchemeOptions): TssScheme {
  const { suite, group } = opts;
  return {
    name: suite,
    summary: opts.summary,
    importKeyFormat: opts.importKeyFormat,
    recoveredKeyFormat: opts.recoveredKeyFormat,
    acceptsTaprootTweak: suite === 'frost-taproot',
    keygen(structure: AccessStructure) {
      const outputs = [...runDkgLocally(group, structure).values()];
      return keyMaterial(
        suite,
        outputs.map((o) => o.keyShare),
        outputs[0]!.chainCode,
      );
    },
    importKey(structure, key) {
      if (key.length !== 32) {
        throw new CryptoError('INVALID_ARGUMENT', `${suite} imports a 32-byte key`);
      }
      const shares = splitSecretKey(group, structure, opts.importedScalar(key));
      // An imported key has no DKG-agreed chain code: a fresh random one is dealt with it.
      return keyMaterial(suite, shares, randomBytes(32));
    },
    describeKeyShare(json) {
      const share = decodeShareOf(group, json);
      return { party: share.party, publicKey: frostVerifyingKey(suite, share) };
    },
    publicKeyOfPackage(json) {
      return frostVerifyingKey(suite, decodePublicKeyPackage(json));
    },
    sign(keyShares, signers, message, options) {
      const shares = keyShares.map((json) => decodeShareOf(group, json));
      const tweak = options.taprootTweak;
      const result = signWithAllParties(shares, signers, message, {
        suite,
        ...(tweak ? { tweak } : {}),
      });
      return { signature: result.signature, publicKey: result.verifyingKey };
    },
    verify: opts.verifier,
    secretSharesOf(keyShares) {
      const shares = keyShares.map((json) => decodeShareOf(group, json));
      const first = shares[0];
      if (!first) throw new CryptoError('INVALID_ARGUMENT', 'no key shares');
      return {
        group,
        structure: first.structure,
        secretShares: new Map<PartyId, bigint>(shares.map((s) => [s.party, s.secretShare])),
      };
    },
    exportSecret(secret) {
      return {
        label: opts.exportLabel,
        secret: opts.encodeSecret(secret),
        publicKey: frostVerifyingKey(suite, { group, publicKey: group.baseMul(secret) }),
      };
    },
  };
}

/** 32-byte big-endian secp256k1 secret key, as BIP340 and SEC 1 encode it. */
const secp256k1SecretKey = {
  importKeyFormat: '32-byte big-endian secret key (hex)',
  recoveredKeyFormat: '"privateKey": the 32-byte big-endian secret key (hex)',
  importedScalar: (key: Uint8Array) => bytesToBigintBE(key),
  exportLabel: 'privateKey',
  encodeSecret: (secret: bigint) => secp256k1Group.encodeScalar(secret),
} as const;

export const frostEd25519Scheme = createFrostScheme({
  suite: 'frost-ed25519',
  group: ed25519Group,
  summary: 'FROST(Ed25519, SHA-512): RFC 8032 signatures, 32-byte public keys',
  importKeyFormat: '32-byte RFC 8032 seed (hex), expanded per RFC 8032 §5.1.5',
  recoveredKeyFormat:
    '"privateScalar": the 32-byte little-endian secret scalar (hex); the RFC 8032 seed it came from cannot be recovered',
  // RFC 8032 §5.1.5: SHA-512 of the seed, clamp the low half, read it little-endian (mod L).
  importedScalar: (seed) => ed25519.utils.getExtendedPublicKey(seed).scalar,
  exportLabel: 'privateScalar',
  encodeSecret: (secret) => ed25519Group.encodeScalar(secret),
  verifier: verifyEd25519,
});

export const frostSecp256k1Scheme = createFrostScheme({
  suite: 'frost-secp256k1',
  group: secp256k1Group,
  summary: 'FROST(secp256k1, SHA-256): RFC 9591 65-byte signatures, 33-byte compressed keys',
  ...secp256k1SecretKey,
  verifier: verifyFrostSecp256k1,
});

export const frostTaprootScheme = createFrostScheme({
  suite: 'frost-taproot',
  group: secp256k1Group,
  summary: 'FROST for BIP340/Taproot: 64-byte Schnorr signatures, 32-byte x-only keys',
  ...secp256k1SecretKey,
  verifier: verifyBip340,
});
