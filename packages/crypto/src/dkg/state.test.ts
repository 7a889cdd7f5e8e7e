/**
 * DKG secret state (CRYPTO.md invariants 2 and 6): each state object is single use
 * (STATE_CONSUMED on reuse, also for persisting a used state), and a state serialised
 * between rounds restores and finishes with the same result as one kept in memory.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes.js';
import { ed25519Group } from '../curves/ed25519.js';
import { secp256k1Group } from '../curves/secp256k1.js';
import { AccessStructure } from '../sharing/access-structure.js';
import { dkgFinalize } from './finalize.js';
import { dkgRound2 } from './round2.js';
import { DkgRound1Secret, DkgRound2Secret } from './state.js';
import { finalizeAll, round1All, round2All } from './test-harness.js';

const TREE = AccessStructure.parse('3of(2of(ops1,ops2,ops3),1of(api1,api2),head)');
const persist = (state: DkgRound1Secret | DkgRound2Secret): unknown =>
  JSON.parse(JSON.stringify(state)) as unknown;

describe('DKG state', () => {
  it('is single use: a second round-2 or finalise call throws STATE_CONSUMED', () => {
    const structure = AccessStructure.threshold(2, 3);
    const { states, broadcasts } = round1All(secp256k1Group, structure);
    const p1 = states.get('p1')!;
    const { state } = dkgRound2(p1, broadcasts);
    expect(p1.consumed).toBe(true);
    expect(() => dkgRound2(p1, broadcasts)).toThrow(
      expect.objectContaining({ code: 'STATE_CONSUMED' }),
    );
    expect(() => p1.toJSON()).toThrow(expect.objectContaining({ code: 'STATE_CONSUMED' }));
    const { broadcasts2, direct } = round2All(
      new Map([...states].filter(([p]) => p !== 'p1')),
      broadcasts,
    );
    const inbound = { broadcasts: broadcasts2, direct: direct.filter((d) => d.recipient === 'p1') };
    expect(dkgFinalize(state, inbound).kind).toBe('key');
    expect(() => dkgFinalize(state, inbound)).toThrow(
      expect.objectContaining({ code: 'STATE_CONSUMED' }),
    );
  });

  it('is consumed even when the round fails (fail closed)', () => {
    const structure = AccessStructure.threshold(2, 3);
    const { states, broadcasts } = round1All(secp256k1Group, structure);
    const p1 = states.get('p1')!;
    expect(() => dkgRound2(p1, [])).toThrow(expect.objectContaining({ code: 'INVALID_MESSAGE' }));
    expect(() => dkgRound2(p1, broadcasts)).toThrow(
      expect.objectContaining({ code: 'STATE_CONSUMED' }),
    );
  });

  it.each([secp256k1Group, ed25519Group])(
    'survives serialisation after round 1 and after round 2 ($name, tree)',
    (group) => {
      const { states, broadcasts } = round1All(group, TREE);
      // Every party persists its round-1 state and restores it from JSON.
      const restored1 = new Map(
        [...states].map(([p, s]) => [p, DkgRound1Secret.fromJSON(persist(s))]),
      );
      const { states2, broadcasts2, direct } = round2All(restored1, broadcasts);
      const restored2 = new Map(
        [...states2].map(([p, s]) => [p, DkgRound2Secret.fromJSON(persist(s))]),
      );
      const results = finalizeAll(restored2, broadcasts2, direct);
      const keys = new Set<string>();
      for (const [party, r] of results) {
        if (r.kind !== 'key') throw new Error(`${party} complained`);
        keys.add(bytesToHex(group.encodePoint(r.output.keyShare.publicKey)));
      }
      expect(keys.size).toBe(1);
      // The in-memory originals were not consumed by serialising them.
      expect([...states.values()].every((s) => !s.consumed)).toBe(true);
    },
  );

  it('rejects a state file with unknown or missing fields or a foreign broadcast', () => {
    const structure = AccessStructure.threshold(2, 3);
    const { states } = round1All(secp256k1Group, structure);
    const json = states.get('p1')!.toJSON();
    const code: unknown = expect.objectContaining({ code: 'INVALID_ARGUMENT' });
    expect(() => DkgRound1Secret.fromJSON({ ...json, extra: 1 })).toThrow(code);
    expect(() => DkgRound1Secret.fromJSON({ ...json, shares: json.shares.slice(1) })).toThrow(code);
    expect(() => DkgRound1Secret.fromJSON({ ...json, kind: 'round2-secret' })).toThrow(code);
    expect(() => DkgRound1Secret.fromJSON({ ...json, party: 'p2' })).toThrow(code);
    expect(() => DkgRound1Secret.fromJSON(null)).toThrow(code);
  });

  it('does not show secrets when inspected or stringified by accident', () => {
    const { states } = round1All(secp256k1Group, AccessStructure.threshold(2, 3));
    const s = states.get('p1')!;
    expect(Object.keys(s)).toEqual([]);
    expect(JSON.stringify(Object.entries(s))).toBe('[]');
  });
});
