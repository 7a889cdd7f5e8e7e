/**
 * A software WebAuthn authenticator for tests: a P-256 (ES256) credential whose answers are
 * built byte for byte as a real authenticator builds them, so the server's verification runs
 * unchanged. Registration yields a 'none' attestation (WebAuthn L3 §8.7) over authenticator
 * data with attested credential data (§6.1, §6.5.1) and a COSE_Key (RFC 9052 §7, RFC 9053
 * §2.1 EC2); assertions are ECDSA P-256 / SHA-256 signatures over `authData ‖ SHA-256(
 * clientDataJSON)` (§6.3.3). Flags, origin and the counter can be altered to test refusals.
 * CBOR (RFC 8949) is encoded by hand for the few types needed: integers, byte and text
 * strings, and maps, in deterministic order (§4.2.1).
 */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type {
  AuthenticationResponseJSON,
  PasskeyLoginOptions,
  PasskeyRegistrationOptions,
  RegistrationResponseJSON,
} from '@coffer/protocol';

/** Authenticator data flags (WebAuthn L3 §6.1). */
export const FLAG_UP = 0x01;
export const FLAG_UV = 0x04;
export const FLAG_AT = 0x40;

type CborValue = number | string | Uint8Array | Map<number | string, CborValue>;

function cborHead(major: number, length: number): Uint8Array {
  if (length < 24) return Uint8Array.of((major << 5) | length);
  if (length < 0x100) return Uint8Array.of((major << 5) | 24, length);
  if (length < 0x10000) return Uint8Array.of((major << 5) | 25, length >> 8, length & 0xff);
  const head = new Uint8Array(5);
  head[0] = (major << 5) | 26;
  new DataView(head.buffer).setUint32(1, length);
  return head;
}

/** RFC 8949 §3.1 major types 0, 1, 2, 3 and 5; map keys sorted by their encoding (§4.2.1). */
export function encodeCbor(value: CborValue): Uint8Array {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error('CBOR: integers only');
    return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = utf8ToBytes(value);
    return concatBytes(cborHead(3, bytes.length), bytes);
  }
  if (value instanceof Uint8Array) return concatBytes(cborHead(2, value.length), value);
  const entries = [...value].map(([k, v]) => [encodeCbor(k), encodeCbor(v)] as const);
  entries.sort(([a], [b]) => a.length - b.length || compareBytes(a, b));
  return concatBytes(cborHead(5, entries.length), ...entries.flat());
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

export interface CeremonyOverrides {
  /** The origin the "browser" writes into clientDataJSON (default: the authenticator's). */
  readonly origin?: string;
  /** Authenticator data flags (default UP | UV, plus AT at registration). */
  readonly flags?: number;
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly secretKey = p256.utils.randomSecretKey();
  /** The signature counter; each assertion increments it first (WebAuthn L3 §6.1.1). */
  signCount = 0;
  /** The user handle stored with the (discoverable) credential at registration. */
  private userHandle: string | undefined;

  constructor(readonly origin: string) {}

  get id(): string {
    return b64url(this.credentialId);
  }

  /** The uncompressed SEC1 point (`04 ‖ x ‖ y`), hex. */
  get publicKeySec1(): string {
    return bytesToHex(p256.getPublicKey(this.secretKey, false));
  }

  /** RFC 9053 §7.1.1 EC2 key: kty 2, alg -7 (ES256), crv 1 (P-256), x, y. */
  cosePublicKey(): Uint8Array {
    const point = p256.getPublicKey(this.secretKey, false);
    return encodeCbor(
      new Map<number, CborValue>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, point.slice(1, 33)],
        [-3, point.slice(33, 65)],
      ]),
    );
  }

  private authenticatorData(rpId: string, flags: number, attested?: Uint8Array): Uint8Array {
    const counter = new Uint8Array(4);
    new DataView(counter.buffer).setUint32(0, this.signCount);
    return concatBytes(
      sha256(utf8ToBytes(rpId)),
      Uint8Array.of(flags),
      counter,
      attested ?? new Uint8Array(),
    );
  }

  /** The members every PublicKeyCredential JSON form carries (WebAuthn L3 §5.1). */
  private envelope() {
    return { id: this.id, rawId: this.id, type: 'public-key', clientExtensionResults: {} } as const;
  }

  private clientData(type: string, challenge: string, origin: string): Uint8Array {
    return utf8ToBytes(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** navigator.credentials.create(): WebAuthn L3 §6.5.1 attested credential data, 'none' format. */
  register(
    options: PasskeyRegistrationOptions,
    overrides: CeremonyOverrides = {},
  ): RegistrationResponseJSON {
    const rpId = options.rp.id ?? new URL(this.origin).hostname;
    this.userHandle = options.user.id;
    const idLength = Uint8Array.of(this.credentialId.length >> 8, this.credentialId.length & 0xff);
    const attested = concatBytes(
      new Uint8Array(16),
      idLength,
      this.credentialId,
      this.cosePublicKey(),
    );
    const flags = overrides.flags ?? FLAG_UP | FLAG_UV | FLAG_AT;
    const authData = this.authenticatorData(rpId, flags, attested);
    const attestationObject = encodeCbor(
      new Map<string, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const clientData = this.clientData(
      'webauthn.create',
      options.challenge,
      overrides.origin ?? this.origin,
    );
    return {
      ...this.envelope(),
      response: {
        clientDataJSON: b64url(clientData),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
    };
  }

  /** navigator.credentials.get(): WebAuthn L3 §6.3.3 authenticatorGetAssertion. */
  assert(
    options: PasskeyLoginOptions,
    overrides: CeremonyOverrides = {},
  ): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(this.origin).hostname;
    this.signCount += 1;
    const authData = this.authenticatorData(rpId, overrides.flags ?? FLAG_UP | FLAG_UV);
    const clientData = this.clientData(
      'webauthn.get',
      options.challenge,
      overrides.origin ?? this.origin,
    );
    const signature = p256.sign(concatBytes(authData, sha256(clientData)), this.secretKey, {
      format: 'der',
    });
    return {
      ...this.envelope(),
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(this.userHandle === undefined ? {} : { userHandle: this.userHandle }),
      },
    };
  }
}
