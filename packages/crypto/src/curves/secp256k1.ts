/**
 * secp256k1 bound to the `Group` interface. Encodings per RFC 9591 §6.5 (FROST(secp256k1,
 * SHA-256)): scalars are 32-byte big-endian, elements 33-byte SEC1 compressed points.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { CryptoError } from '../errors.js';
import {
  fixedWindowMultiplyMany,
  bigintToBytesBE,
  bytesToBigintBE,
  scalarOps,
  type Group,
  type GroupPoint,
} from './group.js';

const Point = secp256k1.Point;
type NoblePoint = InstanceType<typeof Point>;
const ORDER = Point.Fn.ORDER;
const ops = scalarOps(ORDER);

const asNoble = (p: GroupPoint): NoblePoint => p as unknown as NoblePoint;

export const secp256k1Group: Group = {
  name: 'secp256k1',
  order: ORDER,
  scalarLength: 32,
  pointLength: 33,
  generator: Point.BASE,
  identity: Point.ZERO,
  ...ops,
  encodeScalar: (s) => bigintToBytesBE(ops.mod(s), 32),
  decodeScalar(bytes) {
    if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
      throw new CryptoError('INVALID_SCALAR', 'secp256k1 scalar must be 32 bytes');
    }
    const s = bytesToBigintBE(bytes);
    if (s >= ORDER) throw new CryptoError('INVALID_SCALAR', 'scalar is not reduced mod q');
    return s;
  },
  encodePoint(p) {
    if (p.is0()) throw new CryptoError('INVALID_POINT', 'the identity has no encoding');
    return asNoble(p).toBytes(true);
  },
  decodePoint(bytes) {
    if (!(bytes instanceof Uint8Array) || bytes.length !== 33) {
      throw new CryptoError('INVALID_POINT', 'secp256k1 point must be 33 bytes (compressed)');
    }
    try {
      const p = Point.fromBytes(bytes);
      p.assertValidity();
      if (p.is0()) throw new Error('identity');
      return p;
    } catch {
      throw new CryptoError('INVALID_POINT', 'not a valid secp256k1 point');
    }
  },
  baseMul: (s) => {
    const k = ops.mod(s);
    return k === 0n ? Point.ZERO : Point.BASE.multiply(k);
  },
  mulPublic: (p, s) => asNoble(p).multiplyUnsafe(ops.mod(s)),
  mulSecret: (p, s) => {
    const k = ops.mod(s);
    return k === 0n ? Point.ZERO : asNoble(p).multiply(k);
  },
  mulSecretMany: (points, s) => fixedWindowMultiplyMany(points, ops.mod(s), Point.ZERO, 256),
};
