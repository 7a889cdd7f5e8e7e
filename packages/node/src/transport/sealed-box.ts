/**
 * Encryption of a direct (private) envelope body to its recipient. Modelled on HPKE's
 * authenticated DHKEM (RFC 9180 §4.1 AuthEncap: dh = DH(skE, pkR) || DH(skS, pkR)):
 * a fresh ephemeral X25519 key per message gives per-message keys (and secrecy of sent
 * messages if the sender's static key later leaks); the static-static term binds the
 * sender's encryption key. HKDF-SHA256 (RFC 5869) derives key and nonce with both node
 * ids and the direction in `info`, so A→B and B→A keys differ even though the static
 * DH is symmetric; ChaCha20-Poly1305 (RFC 8439) seals with the envelope header as AAD.
 * Deviation from RFC 9180: not its wire format or key schedule — a smaller, fixed suite.
 * Body layout: ephemeral public key (32 bytes) || ciphertext+tag.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { directAad, lengthPrefixed } from './envelope.js';
import type { EnvelopeHeader } from './envelope.js';
import { TransportError } from './errors.js';
import type { LocalNode, PeerIdentity } from './identity-types.js';

const KEY_INFO_DOMAIN = utf8ToBytes('coffer/transport/direct-key/v1');
const EPHEMERAL_BYTES = 32;
const TAG_BYTES = 16;

export interface DirectKeyInput {
  /** X25519(ephemeral, recipient static). */
  readonly dhEphemeral: Uint8Array;
  /** X25519(sender static, recipient static) — symmetric, hence the direction in info. */
  readonly dhStatic: Uint8Array;
  readonly ephemeralPublicKey: Uint8Array;
  readonly session: string;
  readonly from: string;
  readonly to: string;
  readonly senderEncryptionKey: Uint8Array;
  readonly recipientEncryptionKey: Uint8Array;
}

/** HKDF-SHA256(ikm = dhE || dhS, salt = ephemeral pk, info = ids + direction) → key, nonce. */
export function deriveDirectKey(input: DirectKeyInput): { key: Uint8Array; nonce: Uint8Array } {
  const info = lengthPrefixed(
    KEY_INFO_DOMAIN,
    hexToBytes(input.session),
    utf8ToBytes(input.from),
    utf8ToBytes(input.to),
    utf8ToBytes(`${input.from}->${input.to}`),
    input.senderEncryptionKey,
    input.recipientEncryptionKey,
  );
  const ikm = concatBytes(input.dhEphemeral, input.dhStatic);
  const okm = hkdf(sha256, ikm, input.ephemeralPublicKey, info, 32 + 12);
  ikm.fill(0);
  return { key: okm.slice(0, 32), nonce: okm.slice(32, 44) };
}

function assertNonZero(dh: Uint8Array): Uint8Array {
  // RFC 7748 §6.1: an all-zero shared secret means a low-order peer key; refuse it.
  if (dh.length !== 32 || dh.every((b) => b === 0)) throw new Error('degenerate X25519 output');
  return dh;
}

/** Seals `plaintext` from `sender` to `recipient` under `header` (kind must be 'direct'). */
export function sealDirectBody(
  header: EnvelopeHeader,
  sender: LocalNode,
  recipient: PeerIdentity,
  plaintext: Uint8Array,
): Uint8Array {
  if (header.kind !== 'direct' || header.to !== recipient.nodeId) {
    throw new TransportError('INVALID_ARGUMENT', 'sealDirectBody: header does not match recipient');
  }
  const eph = x25519.keygen();
  const dhEphemeral = assertNonZero(
    x25519.getSharedSecret(eph.secretKey, recipient.encryptionPublicKey),
  );
  eph.secretKey.fill(0);
  const dhStatic = assertNonZero(sender.signer.x25519SharedSecret(recipient.encryptionPublicKey));
  const { key, nonce } = deriveDirectKey({
    dhEphemeral,
    dhStatic,
    ephemeralPublicKey: eph.publicKey,
    session: header.session,
    from: header.from,
    to: header.to,
    senderEncryptionKey: sender.identity.encryptionPublicKey,
    recipientEncryptionKey: recipient.encryptionPublicKey,
  });
  dhEphemeral.fill(0);
  dhStatic.fill(0);
  const ct = chacha20poly1305(key, nonce, directAad(header)).encrypt(plaintext);
  key.fill(0);
  return concatBytes(eph.publicKey, ct);
}

/**
 * Opens a direct body addressed to `self` from `sender`. Any failure (bad ephemeral key,
 * tag mismatch) is DECRYPTION_FAILED naming the sender.
 */
export function openDirectBody(
  header: EnvelopeHeader,
  self: LocalNode,
  sender: PeerIdentity,
  body: Uint8Array,
): Uint8Array {
  if (body.length < EPHEMERAL_BYTES + TAG_BYTES) {
    throw new TransportError('DECRYPTION_FAILED', 'direct body too short', {
      sender: header.from,
    });
  }
  const ephemeralPublicKey = body.subarray(0, EPHEMERAL_BYTES);
  let key: Uint8Array | undefined;
  try {
    const dhEphemeral = assertNonZero(self.signer.x25519SharedSecret(ephemeralPublicKey));
    const dhStatic = assertNonZero(self.signer.x25519SharedSecret(sender.encryptionPublicKey));
    const derived = deriveDirectKey({
      dhEphemeral,
      dhStatic,
      ephemeralPublicKey,
      session: header.session,
      from: header.from,
      to: header.to,
      senderEncryptionKey: sender.encryptionPublicKey,
      recipientEncryptionKey: self.identity.encryptionPublicKey,
    });
    dhEphemeral.fill(0);
    dhStatic.fill(0);
    key = derived.key;
    return chacha20poly1305(key, derived.nonce, directAad(header)).decrypt(
      body.subarray(EPHEMERAL_BYTES),
    );
  } catch {
    throw new TransportError('DECRYPTION_FAILED', 'direct body does not decrypt', {
      sender: header.from,
    });
  } finally {
    key?.fill(0);
  }
}
