/**
 * Access structures (CRYPTO.md "Linear secret sharing" and "Threshold trees, precisely"):
 * property tests over random threshold trees — every authorised set reconstructs the secret
 * with Σ λ_i·s_i (Benaloh–Leichter recursive Shamir), every unauthorised set is refused
 * naming the structure, coefficients do not depend on input order — plus the canonical
 * forms, the pinned structure hash and the validation errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ed25519Group } from '../curves/ed25519.js';
import { secp256k1Group } from '../curves/secp256k1.js';
import { CryptoError } from '../errors.js';
import { AccessStructure, type PartyId, type ThresholdTree } from './access-structure.js';
import { shareSecret } from './feldman.js';

interface Shape {
  readonly k: number;
  readonly members: readonly (Shape | null)[];
}

const shapeArb: fc.Arbitrary<Shape> = fc.letrec<{ node: Shape }>((tie) => ({
  node: fc.record({
    k: fc.nat({ max: 7 }),
    members: fc.array(
      fc.oneof({ maxDepth: 3, depthSize: 'small' }, fc.constant(null), tie('node')),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
  }),
})).node;

/** A random tree of at most 12 parties; names "p<i>" or "<prefix><i>" in DFS order. */
const treeArb: fc.Arbitrary<ThresholdTree> = fc
  .tuple(shapeArb, fc.constantFrom('p', 'ops', 'api-', 'x.'))
  .map(([shape, prefix]) => {
    let n = 0;
    const build = (s: Shape): ThresholdTree => ({
      threshold: 1 + (s.k % s.members.length),
      members: s.members.map((m) => (m === null ? `${prefix}${++n}` : build(m))),
    });
    return build(shape);
  })
  .filter((t) => AccessStructure.fromJSON(t).parties.length <= 12);

/** Reference semantics, written independently of the implementation. */
function satisfies(tree: ThresholdTree, set: ReadonlySet<PartyId>): boolean {
  const ok = tree.members.filter((m) => (typeof m === 'string' ? set.has(m) : satisfies(m, set)));
  return ok.length >= tree.threshold;
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CryptoError) return e.code;
    throw e;
  }
  return 'none';
}

const TREE_TEXT = '3of(2of(ops1,ops2,ops3),1of(api1,api2),head)';

describe.each([secp256k1Group, ed25519Group])('access structures over $name', (group) => {
  it('every authorised set reconstructs the secret; every unauthorised set is refused', () => {
    const scenario = treeArb.chain((tree) => {
      const parties = AccessStructure.fromJSON(tree).parties;
      return fc.tuple(
        fc.constant(tree),
        fc.subarray([...parties]),
        fc.bigInt(1n, group.order - 1n),
      );
    });
    fc.assert(
      fc.property(scenario, ([tree, set, secret]) => {
        const structure = AccessStructure.fromJSON(tree);
        const { shares } = shareSecret(group, structure, secret);
        const authorised = satisfies(tree, new Set(set));
        expect(structure.isAuthorized(set)).toBe(authorised);
        // The full set is always authorised.
        for (const s of authorised ? [set, structure.parties] : [structure.parties]) {
          const lambdas = structure.coefficients(group, s);
          let sum = 0n;
          for (const [p, l] of lambdas) sum = group.mod(sum + l * shares.get(p)!);
          expect(sum).toBe(secret);
          // Only the selected parties carry weight.
          const chosen = new Set(structure.select(s));
          for (const [p, l] of lambdas) if (!chosen.has(p)) expect(l).toBe(0n);
        }
        if (!authorised) {
          let error: unknown;
          try {
            structure.coefficients(group, set);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(CryptoError);
          expect((error as CryptoError).code).toBe('UNAUTHORIZED_SET');
          expect((error as CryptoError).message).toContain(structure.text());
          expect(code(() => structure.select(set))).toBe('UNAUTHORIZED_SET');
        }
      }),
      { numRuns: 60 },
    );
  });

  it('gives the same coefficients whatever the order of the signer set', () => {
    const scenario = treeArb.chain((tree) => {
      const parties = [...AccessStructure.fromJSON(tree).parties];
      return fc.tuple(fc.constant(tree), fc.shuffledSubarray(parties, { minLength: 1 }));
    });
    fc.assert(
      fc.property(scenario, ([tree, set]) => {
        const structure = AccessStructure.fromJSON(tree);
        if (!structure.isAuthorized(set)) return;
        const a = structure.coefficients(group, set);
        const b = structure.coefficients(group, [...set].reverse());
        const c = structure.coefficients(group, [...set].sort());
        const sorted = (m: Map<PartyId, bigint>) => [...m].sort(([x], [y]) => (x < y ? -1 : 1));
        expect(sorted(b)).toEqual(sorted(a));
        expect(sorted(c)).toEqual(sorted(a));
      }),
      { numRuns: 100 },
    );
  });
});

describe('access structure forms', () => {
  it('round-trips through text, canonical JSON and parse with a stable hash', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const s = AccessStructure.fromJSON(tree);
        const fromText = AccessStructure.parse(s.text());
        const fromCanon = AccessStructure.parse(s.canonicalJson());
        const fromJson = AccessStructure.fromJSON(JSON.parse(s.canonicalJson()));
        for (const t of [fromText, fromCanon, fromJson]) {
          expect(t.canonicalJson()).toBe(s.canonicalJson());
          expect(t.text()).toBe(s.text());
          expect(t.hashHex()).toBe(s.hashHex());
          expect(t.parties).toEqual(s.parties);
        }
        expect(s.describe().length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });

  it('pins the structure hash (SHA-256 over the domain tag and canonical JSON)', () => {
    // Independently recomputed: sha256(u32(len) || "coffer/access-structure/v1" ||
    // u32(len) || '{"threshold":2,"members":["p1","p2","p3"]}').
    expect(AccessStructure.threshold(2, 3).hashHex()).toBe(
      '49232e1b31022e29a316314c4807e8854fa29f33e74b2999a09d40d9388e3766',
    );
    expect(AccessStructure.parse(TREE_TEXT).hashHex()).toBe(
      'ac7eba3fc6748d027ea163230ac6cab1567140a0e1a34c30592cfc3480a030a1',
    );
    expect(AccessStructure.parse('2of3').text()).toBe('2of3');
    expect(AccessStructure.parse(' 2 of 3 ').hashHex()).toBe(
      AccessStructure.threshold(2, 3).hashHex(),
    );
  });

  it('describes and orders a hierarchical tree', () => {
    const s = AccessStructure.parse(TREE_TEXT);
    expect(s.text()).toBe(TREE_TEXT);
    expect(s.describe()).toBe('all of (2 of {ops1, ops2, ops3}), (1 of {api1, api2}), head');
    expect(s.parties).toEqual(['ops1', 'ops2', 'ops3', 'api1', 'api2', 'head']);
    expect(s.nodes.map((n) => n.key)).toEqual(['', '1', '2']);
    expect(s.pathOf('api2')).toEqual([2, 2]);
    expect(s.participantId('head')).toBe(6);
    expect(s.select(['head', 'api2', 'api1', 'ops3', 'ops1', 'ops2'])).toEqual([
      'ops1',
      'ops2',
      'api1',
      'head',
    ]);
    expect(s.isAuthorized(['ops1', 'api1', 'head'])).toBe(false);
    expect(() => s.coefficients(secp256k1Group, ['ops1', 'api1', 'head'])).toThrow(
      /do not satisfy the access structure 3of\(2of\(ops1,ops2,ops3\),1of\(api1,api2\),head\)/,
    );
    expect(code(() => s.coefficients(secp256k1Group, ['ops1', 'mallory']))).toBe('UNKNOWN_PARTY');
    expect(code(() => s.coefficients(secp256k1Group, ['ops1', 'ops1']))).toBe('INVALID_ARGUMENT');
  });

  it.each<[string, unknown, RegExp]>([
    ['threshold 0', { threshold: 0, members: ['a', 'b'] }, /threshold 0 must be between 1 and 2/],
    ['k > m', { threshold: 3, members: ['a', 'b'] }, /threshold 3 must be between 1 and 2/],
    ['a fractional threshold', { threshold: 1.5, members: ['a', 'b'] }, /must be an integer/],
    ['no members', { threshold: 1, members: [] }, /non-empty array/],
    [
      'a duplicate party',
      { threshold: 1, members: ['a', { threshold: 1, members: ['a'] }] },
      /"a" appears more than once/,
    ],
    [
      'an unknown field',
      { threshold: 1, members: ['a'], weight: 2 },
      /unknown field\(s\) in tree node: weight/,
    ],
    ['a bad name', { threshold: 1, members: ['a b'] }, /party name "a b" must match/],
    ['an empty name', { threshold: 1, members: [''] }, /party name "" must match/],
    ['a non-object', ['a'], /must be an object/],
  ])('rejects %s with INVALID_ACCESS_STRUCTURE', (_, json, message) => {
    expect(() => AccessStructure.fromJSON(json)).toThrow(
      expect.objectContaining({
        code: 'INVALID_ACCESS_STRUCTURE',
        message: expect.stringMatching(message) as unknown,
      }),
    );
  });

  it.each<[string, RegExp]>([
    ['0of3', /threshold 0 must be between 1 and 3/],
    ['4of3', /threshold 4 must be between 1 and 3/],
    ['2of(a,b', /cannot parse structure "2of\(a,b": expected "," or "\)"/],
    ['2of(a,,b)', /expected a party name or a sub-tree at position 6/],
    ['2of(a,b)x', /unexpected trailing text/],
    ['two of three', /cannot parse structure/],
    ['', /cannot parse structure/],
    ['{"threshold":1,', /structure JSON does not parse/],
    ['1of(' + '1of('.repeat(5000) + 'a' + ')'.repeat(5001), /deeper than 8 levels/],
    ['1of300', /at most 256 parties/],
    ['1of(a,a)', /"a" appears more than once/],
  ])('rejects the text %s with a clear INVALID_ACCESS_STRUCTURE', (text, message) => {
    expect(() => AccessStructure.parse(text)).toThrow(
      expect.objectContaining({
        code: 'INVALID_ACCESS_STRUCTURE',
        message: expect.stringMatching(message) as unknown,
      }),
    );
  });
});
