/**
 * The threshold-ECDSA adapter of `coffer tss` (`ecdsa-secp256k1`): DKLs23 (ePrint 2023/765)
 * from @coffer/crypto — the DKG plus the pairwise OT setup for keygen, a trusted-dealer split
 * plus the same pairwise setup for import, and three-round signing of a 32-byte digest. The
 * signature is the 64-byte compact r||s, low-s, with its recovery id, checked by noble's
 * ECDSA verifier (never by Coffer's signing code).
 *
 * Key shares are stored as the versioned DKLs23 key-share JSON (the sharing-layer share and
 * the pairwise OT state); public material as the PublicKeyPackageJson every scheme uses.
 */
import { randomBytes } from 'node:crypto';
import {
  bytesToBigintBE,
  CryptoError,
  decodeDkls23KeyShare,
  decodePublicKeyPackage,
  dkls23KeygenLocally,
  dkls23SetupLocally,
  encodeCompactSignature,
  encodeDkls23KeyShare,
  encodePublicKeyPackage,
  secp256k1Group,
  signEcdsaLocally,
  splitSecretKey,
  type Dkls23KeyShare,
  type PartyId,
} from '@coffer/crypto';
import type { TssKeyMaterial, TssScheme } from './scheme.js';
import { verifyEcdsaSecp256k1Digest } from './verify.js';

const G = secp256k1Group;

function keyMaterial(shares: ReadonlyMap<PartyId, Dkls23KeyShare>): TssKeyMaterial {
  const first = shares.values().next().value;
  if (!first) throw new CryptoError('INVALID_ARGUMENT', 'no key shares');
  return {
    keyShares: new Map([...shares].map(([p, s]) => [p, encodeDkls23KeyShare(s)])),
    publicKeyPackage: encodePublicKeyPackage(first.key),
    publicKey: G.encodePoint(first.key.publicKey),
    chainCode: first.chainCode,
  };
}

function digestOf(message: Uint8Array): Uint8Array {
  if (message.length !== 32) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `ecdsa-secp256k1 signs a 32-byte digest; --message has ${message.length} bytes`,
    );
  }
  return message;
}

export const ecdsaSecp256k1Scheme: TssScheme = {
  name: 'ecdsa-secp256k1',
  summary:
    'threshold ECDSA (DKLs23): --message is the 32-byte digest; 64-byte r||s (low-s) + recovery id, 33-byte compressed keys',
  importKeyFormat: '32-byte big-endian secret key (hex)',
  recoveredKeyFormat: '"privateKey": the 32-byte big-endian secret key (hex)',
  acceptsTaprootTweak: false,
  keygen(structure) {
    return keyMaterial(dkls23KeygenLocally(structure));
  },
  importKey(structure, key) {
    if (key.length !== 32) {
      throw new CryptoError('INVALID_ARGUMENT', 'ecdsa-secp256k1 imports a 32-byte key');
    }
    const shares = splitSecretKey(G, structure, bytesToBigintBE(key));
    // An imported key has no DKG transcript or agreed chain code: both are fresh randomness.
    return keyMaterial(dkls23SetupLocally(shares, randomBytes(32), randomBytes(32)));
  },
  describeKeyShare(json) {
    const share = decodeDkls23KeyShare(json);
    return { party: share.key.party, publicKey: G.encodePoint(share.key.publicKey) };
  },
  publicKeyOfPackage(json) {
    const pkg = decodePublicKeyPackage(json);
    if (pkg.group !== G) throw new CryptoError('INVALID_MESSAGE', 'not a secp256k1 key');
    return G.encodePoint(pkg.publicKey);
  },
  sign(keyShares, signers, message) {
    const shares = new Map(
      keyShares.map((json) => {
        const share = decodeDkls23KeyShare(json);
        return [share.key.party, share] as const;
      }),
    );
    const signature = signEcdsaLocally(shares, signers, digestOf(message));
    const first = shares.values().next().value!;
    return {
      signature: encodeCompactSignature(signature),
      publicKey: G.encodePoint(first.key.publicKey),
      extra: { recovery: signature.recovery },
    };
  },
  verify: verifyEcdsaSecp256k1Digest,
  secretSharesOf(keyShares) {
    const shares = keyShares.map((json) => decodeDkls23KeyShare(json).key);
    const first = shares[0];
    if (!first) throw new CryptoError('INVALID_ARGUMENT', 'no key shares');
    return {
      group: G,
      structure: first.structure,
      secretShares: new Map(shares.map((s) => [s.party, s.secretShare])),
    };
  },
  exportSecret(secret) {
    return {
      label: 'privateKey',
      secret: G.encodeScalar(secret),
      publicKey: G.encodePoint(G.baseMul(secret)),
    };
  },
};
