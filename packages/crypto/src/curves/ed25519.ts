/**
 * Edwards25519 (prime-order subgroup) bound to the `Group` interface. Encodings per RFC 9591
 * §6.1 (FROST(Ed25519, SHA-512)): scalars are 32-byte little-endian, elements the 32-byte
 * RFC 8032 encoding; decoding rejects non-canonical, small-order and torsioned points (the
 * subgroup test is ed25519-subgroup.ts).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { CryptoError } from '../errors.js';
import {
  fixedWindowMultiplyMany,
  bigintToBytesLE,
  bytesToBigintLE,
  scalarOps,
  type Group,
  type GroupPoint,
} from './group.js';
import { isInPrimeOrderSubgroup } from './ed25519-subgroup.js';

const Point = ed25519.Point;
type NoblePoint = InstanceType<typeof Point>;
const ORDER = Point.Fn.ORDER;
const ops = scalarOps(ORDER);

const asNoble = (p: GroupPoint): NoblePoint => p as unknown as NoblePoint;

export const ed25519Group: Group = {
  name: 'ed25519',
  order: ORDER,
  scalarLength: 32,
  pointLength: 32,
  generator: Point.BASE,
  identity: Point.ZERO,
  ...ops,
  encodeScalar: (s) => bigintToBytesLE(ops.mod(s), 32),
  decodeScalar(bytes) {
    if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
      throw new CryptoError('INVALID_SCALAR', 'Ed25519 scalar must be 32 bytes');
    }
    const s = bytesToBigintLE(bytes);
    if (s >= ORDER) throw new CryptoError('INVALID_SCALAR', 'scalar is not reduced mod q');
    return s;
  },
  encodePoint(p) {
    if (p.is0()) throw new CryptoError('INVALID_POINT', 'the identity has no encoding');
    return asNoble(p).toBytes();
  },
  decodePoint(bytes) {
    if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
      throw new CryptoError('INVALID_POINT', 'Ed25519 point must be 32 bytes');
    }
    try {
      // zip215: false = strict RFC 8032 decoding (canonical y).
      const p = Point.fromBytes(bytes, false);
      // RFC 9591 §6.1 DeserializeElement: not the identity, in the prime-order subgroup
      // (exactly [L]P == O, by point halving: see ed25519-subgroup.ts).
      if (p.is0() || !isInPrimeOrderSubgroup(p)) throw new Error('subgroup');
      return p;
    } catch {
      throw new CryptoError('INVALID_POINT', 'not a valid Ed25519 prime-order point');
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
  mulSecretMany: (points, s) => fixedWindowMultiplyMany(points, ops.mod(s), Point.ZERO, 253),
};
