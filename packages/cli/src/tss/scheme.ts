/**
 * The adapter every signature scheme of `coffer tss` implements. The commands (keygen,
 * import, sign, combine, verify) are written once against this interface; a scheme binds
 * its protocol from @coffer/crypto: key generation by all parties in one process, key
 * import by a trusted dealer, signing by an authorised set, the independent verifier of
 * tss/verify.ts, and the secret shares offline recovery needs. Adding a scheme is one
 * adapter file plus one line in tss/registry.ts.
 *
 * Share and public-package JSON are opaque to the commands: each adapter validates its own
 * (rejecting unknown fields) when it reads them back.
 */
import type { AccessStructure, Group, PartyId, TaprootTweak } from '@coffer/crypto';

/** What keygen or import produce for every party of the structure. */
export interface TssKeyMaterial {
  /** Per party: the scheme's key-share JSON (secret; written encrypted when asked). */
  readonly keyShares: ReadonlyMap<PartyId, unknown>;
  /** The scheme's public key package JSON (public.json, `publicKeyPackage`). */
  readonly publicKeyPackage: unknown;
  /** The public key in the scheme's verifier format (untweaked). */
  readonly publicKey: Uint8Array;
  /** The BIP32 chain code of the key (32 bytes). */
  readonly chainCode: Uint8Array;
}

export interface TssSignOptions {
  /** BIP341 key-path tweak; only for schemes with `acceptsTaprootTweak`. */
  readonly taprootTweak?: TaprootTweak;
}

export interface TssSignature {
  readonly signature: Uint8Array;
  /** The key the signature verifies under (tweaked when a tweak was asked for). */
  readonly publicKey: Uint8Array;
  /** Scheme-specific fields printed beside the signature (e.g. an ECDSA recovery id). */
  readonly extra?: Readonly<Record<string, string | number>>;
}

/** The secret shares of an authorised set, as offline recovery consumes them. */
export interface TssSecretShares {
  readonly group: Group;
  readonly structure: AccessStructure;
  readonly secretShares: ReadonlyMap<PartyId, bigint>;
}

/** A recovered whole key in the scheme's export format. */
export interface TssExportedKey {
  /** `privateKey` when the standard key is recovered; `privateScalar` when only the scalar is. */
  readonly label: 'privateKey' | 'privateScalar';
  readonly secret: Uint8Array;
  /** The public key derived from the recovered secret, in the scheme's verifier format. */
  readonly publicKey: Uint8Array;
}

export interface TssScheme {
  /** Command-line name, e.g. "frost-taproot". */
  readonly name: string;
  /** One line for --help: what the scheme signs and its encodings. */
  readonly summary: string;
  /** The key `coffer tss import` expects, for --help. */
  readonly importKeyFormat: string;
  /** The key `coffer tss combine` prints, for --help. */
  readonly recoveredKeyFormat: string;
  readonly acceptsTaprootTweak: boolean;
  /** Runs every party of the key generation in this process. */
  keygen(structure: AccessStructure): TssKeyMaterial;
  /** Splits an existing key (trusted dealer); `key` is the scheme's import format. */
  importKey(structure: AccessStructure, key: Uint8Array): TssKeyMaterial;
  /** Validates a key-share JSON and returns its party and public key (verifier format). */
  describeKeyShare(keyShare: unknown): { party: PartyId; publicKey: Uint8Array };
  /** Validates a public key package JSON and returns its public key (verifier format). */
  publicKeyOfPackage(publicKeyPackage: unknown): Uint8Array;
  /** Signs with the key shares of `signers` (an authorised set; shares in any order). */
  sign(
    keyShares: readonly unknown[],
    signers: readonly PartyId[],
    message: Uint8Array,
    options: TssSignOptions,
  ): TssSignature;
  /** The independent verifier (tss/verify.ts), never the scheme's own signing code. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** The secret shares inside key-share JSONs, for offline recovery only. */
  secretSharesOf(keyShares: readonly unknown[]): TssSecretShares;
  /** Encodes a recovered secret and derives its public key. */
  exportSecret(secret: bigint): TssExportedKey;
}
