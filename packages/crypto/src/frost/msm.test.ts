/**
 * `msmPublic` (RFC 9591 §4.5 group commitment, §5.4 batched share verification) must equal the
 * sum of separate multiplications, for both groups, any number of points and any scalars
 * (zero, negative, ≥ q, short) — on secp256k1 through the GLV split of every scalar.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ed25519Group } from '../curves/ed25519.js';
import type { Group } from '../curves/group.js';
import { secp256k1Group } from '../curves/secp256k1.js';
import { msmPublic } from './msm.js';

describe.each([secp256k1Group, ed25519Group] as Group[])('msmPublic on $name', (group) => {
  const scalar = fc.oneof(
    fc.bigInt({ min: 0n, max: group.order - 1n }),
    fc.bigInt({ min: -(group.order * 2n), max: group.order * 2n }),
    fc.constantFrom(0n, 1n, -1n, group.order - 1n, group.order, 1n << 128n),
  );
  const term = fc.tuple(fc.bigInt({ min: 1n, max: group.order - 1n }), scalar);

  it('equals Σ k_i·P_i computed one multiplication at a time', () => {
    fc.assert(
      fc.property(fc.array(term, { minLength: 1, maxLength: 5 }), (terms) => {
        const points = terms.map(([dlog]) => group.mulPublic(group.generator, dlog));
        const scalars = terms.map(([, k]) => k);
        const expected = points.reduce(
          (acc, p, i) => acc.add(group.mulPublic(p, scalars[i]!)),
          group.identity,
        );
        expect(msmPublic(group, points, scalars).equals(expected)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});
