/**
 * The authenticated envelope every node-to-node message travels in (issue 4, "Transport").
 * Header `{ v: 1, session, from, to, seq, kind }` plus a body and an Ed25519 signature
 * (RFC 8032) by the sender over a canonical, length-prefixed encoding of the header and
 * SHA-256(body). A `direct` body is a sealed box to the recipient (see sealed-box.ts); a
 * `broadcast` body is the plaintext payload. On the wire an envelope is strict JSON
 * (unknown fields rejected; body base64, signature and session lowercase hex); the signed
 * bytes never depend on the JSON, so re-encoding cannot change what was signed.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { TransportError } from './errors.js';
import { NODE_ID_PATTERN } from './identity-types.js';
import type { NodeSigner } from './identity-types.js';

export const ENVELOPE_VERSION = 1;
/** Upper bound on an encoded envelope; relays enforce it too. */
export const MAX_ENVELOPE_BYTES = 8 * 1024 * 1024;
export const BROADCAST = '*';

export type EnvelopeKind = 'direct' | 'broadcast';

export interface EnvelopeHeader {
  readonly v: 1;
  /** Protocol session id, lowercase hex (1..64 bytes). */
  readonly session: string;
  readonly from: string;
  /** Recipient node id, or '*' for a broadcast. */
  readonly to: string;
  /** Per (session, sender, channel) counter starting at 0; channel = `to`. */
  readonly seq: number;
  readonly kind: EnvelopeKind;
}

export interface Envelope extends EnvelopeHeader {
  readonly body: Uint8Array;
  /** Ed25519 signature over `envelopeSigningBytes(header, body)`. */
  readonly signature: Uint8Array;
}

const SESSION_PATTERN = /^(?:[0-9a-f]{2}){1,64}$/;
const SIG_PATTERN = /^[0-9a-f]{128}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;
const WIRE_KEYS = ['v', 'session', 'from', 'to', 'seq', 'kind', 'body', 'sig'] as const;
const SIGN_DOMAIN = utf8ToBytes('coffer/transport/envelope/v1');
const AAD_DOMAIN = utf8ToBytes('coffer/transport/direct-aad/v1');

/** u32 big-endian length prefix + bytes: an injective encoding of a field sequence. */
export function lengthPrefixed(...fields: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, f.length, false);
    parts.push(len, f);
  }
  return concatBytes(...parts);
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false);
  return out;
}

/** Throws MALFORMED_ENVELOPE (naming the claimed sender) unless `h` is a valid v1 header. */
export function assertHeader(h: EnvelopeHeader): void {
  const sender = typeof h.from === 'string' && NODE_ID_PATTERN.test(h.from) ? h.from : null;
  const bad = (why: string): never => {
    throw new TransportError('MALFORMED_ENVELOPE', why, { sender });
  };
  if (h.v !== ENVELOPE_VERSION) bad(`unsupported envelope version ${String(h.v)}`);
  if (typeof h.session !== 'string' || !SESSION_PATTERN.test(h.session)) bad('bad session id');
  if (sender === null) bad('bad sender id');
  if (h.kind === 'broadcast') {
    if (h.to !== BROADCAST) bad("a broadcast must be addressed to '*'");
  } else if (h.kind === 'direct') {
    if (typeof h.to !== 'string' || !NODE_ID_PATTERN.test(h.to)) bad('bad recipient id');
    if (h.to === h.from) bad('a direct message to oneself');
  } else {
    bad('bad kind');
  }
  if (!Number.isSafeInteger(h.seq) || h.seq < 0) bad('bad seq');
}

/** Canonical header bytes: v, session, from, to, seq (u64 BE), kind — each length-prefixed. */
export function encodeHeader(h: EnvelopeHeader): Uint8Array {
  return lengthPrefixed(
    Uint8Array.of(h.v),
    hexToBytes(h.session),
    utf8ToBytes(h.from),
    utf8ToBytes(h.to),
    u64(h.seq),
    utf8ToBytes(h.kind),
  );
}

/** What the sender signs: domain, header, SHA-256(body). Echo records re-verify this. */
export function signingBytesFromHash(h: EnvelopeHeader, bodyHash: Uint8Array): Uint8Array {
  return lengthPrefixed(SIGN_DOMAIN, encodeHeader(h), bodyHash);
}

export function envelopeSigningBytes(h: EnvelopeHeader, body: Uint8Array): Uint8Array {
  return signingBytesFromHash(h, sha256(body));
}

/** Associated data of a direct body: the header (session, from, to, seq, kind). */
export function directAad(h: EnvelopeHeader): Uint8Array {
  return lengthPrefixed(AAD_DOMAIN, encodeHeader(h));
}

/** Signs `body` under `header` with the sender's signer. */
export function signEnvelope(h: EnvelopeHeader, body: Uint8Array, signer: NodeSigner): Envelope {
  assertHeader(h);
  const signature = signer.sign(envelopeSigningBytes(h, body));
  return { ...pickHeader(h), body, signature };
}

/** Ed25519 verification (RFC 8032 §5.1.7, strict: zip215 off, so no malleable encodings). */
export function verifySignedHash(
  h: EnvelopeHeader,
  bodyHash: Uint8Array,
  signature: Uint8Array,
  signingPublicKey: Uint8Array,
): boolean {
  try {
    return ed25519.verify(signature, signingBytesFromHash(h, bodyHash), signingPublicKey, {
      zip215: false,
    });
  } catch {
    return false;
  }
}

export function verifyEnvelopeSignature(env: Envelope, signingPublicKey: Uint8Array): boolean {
  return verifySignedHash(env, sha256(env.body), env.signature, signingPublicKey);
}

export function pickHeader(h: EnvelopeHeader): EnvelopeHeader {
  return { v: h.v, session: h.session, from: h.from, to: h.to, seq: h.seq, kind: h.kind };
}

/** Strict JSON wire encoding. */
export function encodeEnvelope(env: Envelope): Uint8Array {
  assertHeader(env);
  const wire = {
    v: env.v,
    session: env.session,
    from: env.from,
    to: env.to,
    seq: env.seq,
    kind: env.kind,
    body: Buffer.from(env.body).toString('base64'),
    sig: bytesToHex(env.signature),
  };
  return utf8ToBytes(JSON.stringify(wire));
}

/**
 * Parses wire bytes into an envelope without verifying the signature (relays use it to
 * route; inboxes then verify). Rejects unknown or missing fields and non-canonical values.
 */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  const malformed = (why: string, sender: string | null = null): never => {
    throw new TransportError('MALFORMED_ENVELOPE', why, { sender });
  };
  if (bytes.length > MAX_ENVELOPE_BYTES) malformed('envelope too large');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return malformed('not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return malformed('not an object');
  const o = raw as Record<string, unknown>;
  const claimed = typeof o.from === 'string' && NODE_ID_PATTERN.test(o.from) ? o.from : null;
  const keys = Object.keys(o);
  if (keys.length !== WIRE_KEYS.length || !WIRE_KEYS.every((k) => keys.includes(k))) {
    malformed('unknown or missing fields', claimed);
  }
  const { body, sig } = o;
  if (typeof body !== 'string' || !BASE64_PATTERN.test(body) || body.length % 4 !== 0) {
    return malformed('bad body encoding', claimed);
  }
  if (typeof sig !== 'string' || !SIG_PATTERN.test(sig)) return malformed('bad signature', claimed);
  const bodyBytes = new Uint8Array(Buffer.from(body, 'base64'));
  if (Buffer.from(bodyBytes).toString('base64') !== body) malformed('non-canonical body', claimed);
  const header = {
    v: o.v,
    session: o.session,
    from: o.from,
    to: o.to,
    seq: o.seq,
    kind: o.kind,
  } as unknown as EnvelopeHeader;
  assertHeader(header);
  return { ...header, body: bodyBytes, signature: hexToBytes(sig) };
}
