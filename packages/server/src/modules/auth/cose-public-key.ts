/**
 * Reads a passkey's COSE_Key (RFC 9052 §7, RFC 9053 §2.1) for what the rest of Coffer needs:
 * its algorithm and, for ES256 keys (kty EC2, crv P-256), the uncompressed SEC1 point
 * (SEC 1 v2 §2.3.3: `04 ‖ x ‖ y`) that signing nodes verify `webauthn-es256` approvals with.
 * The point is checked to lie on the curve.
 */
import { p256 } from '@noble/curves/nist.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { cose, decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';

export interface PasskeyPublicKeyInfo {
  /** COSE algorithm identifier (RFC 9053 / IANA COSE Algorithms). */
  readonly algorithm: number;
  /** ES256 only: the 65-byte uncompressed SEC1 P-256 point, hex; otherwise null. */
  readonly sec1: string | null;
}

export function describeCosePublicKey(coseKey: Uint8Array<ArrayBuffer>): PasskeyPublicKeyInfo {
  const key = decodeCredentialPublicKey(coseKey);
  const algorithm = key.get(cose.COSEKEYS.alg);
  if (algorithm === undefined) throw new Error('COSE key without an algorithm');
  if (algorithm !== cose.COSEALG.ES256 || !cose.isCOSEPublicKeyEC2(key)) {
    return { algorithm, sec1: null };
  }
  const x = key.get(cose.COSEKEYS.x);
  const y = key.get(cose.COSEKEYS.y);
  if (key.get(cose.COSEKEYS.crv) !== cose.COSECRV.P256 || x?.length !== 32 || y?.length !== 32) {
    throw new Error('ES256 COSE key that is not a P-256 point');
  }
  const point = p256.Point.fromBytes(Uint8Array.of(4, ...x, ...y)); // throws if off the curve
  return { algorithm, sec1: bytesToHex(point.toBytes(false)) };
}
