/**
 * The DKG end to end (Komlo–Goldberg 2020, FROST, Fig. 1, over threshold trees) on both
 * groups: every party agrees on the public key, verification shares, chain code and
 * transcript hash; every share matches its verification share; and — in this test only,
 * through the offline recovery function — every minimal authorised set reconstructs the same
 * secret, whose public key is the group key.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes.js';
import { ed25519Group } from '../curves/ed25519.js';
import { secp256k1Group } from '../curves/secp256k1.js';
import { AccessStructure, type PartyId } from '../sharing/access-structure.js';
import { reconstructSecretOffline } from '../sharing/recovery.js';
import { runDkgLocally } from './local.js';
import { SESSION } from './test-harness.js';

const STRUCTURES = ['2of3', '3of5', '3of(2of(ops1,ops2,ops3),1of(api1,api2),head)'];

/** Every authorised set from which no member can be dropped. */
function minimalAuthorisedSets(structure: AccessStructure): PartyId[][] {
  const parties = structure.parties;
  const out: PartyId[][] = [];
  for (let mask = 1; mask < 1 << parties.length; mask++) {
    const set = parties.filter((_, i) => mask & (1 << i));
    if (!structure.isAuthorized(set)) continue;
    if (set.every((p) => !structure.isAuthorized(set.filter((q) => q !== p)))) out.push(set);
  }
  return out;
}

describe.each([secp256k1Group, ed25519Group])('DKG on $name', (group) => {
  it.each(STRUCTURES)('%s: all parties agree and every minimal quorum recovers the key', (text) => {
    const structure = AccessStructure.parse(text);
    const outputs = runDkgLocally(group, structure, SESSION);
    expect([...outputs.keys()]).toEqual(structure.parties);
    const first = outputs.get(structure.parties[0]!)!;
    const pk = bytesToHex(group.encodePoint(first.keyShare.publicKey));
    const vs = (o: typeof first) =>
      structure.parties.map((p) =>
        bytesToHex(group.encodePoint(o.keyShare.verificationShares.get(p)!)),
      );
    expect(first.chainCode).toHaveLength(32);
    expect(first.transcriptHash).toHaveLength(32);
    for (const [party, out] of outputs) {
      expect(out.keyShare.party).toBe(party);
      expect(out.keyShare.group).toBe(group);
      expect(out.keyShare.structure.hashHex()).toBe(structure.hashHex());
      expect(bytesToHex(group.encodePoint(out.keyShare.publicKey))).toBe(pk);
      expect(vs(out)).toEqual(vs(first));
      expect(bytesToHex(out.chainCode)).toBe(bytesToHex(first.chainCode));
      expect(bytesToHex(out.transcriptHash)).toBe(bytesToHex(first.transcriptHash));
      expect(
        group.baseMul(out.keyShare.secretShare).equals(out.keyShare.verificationShares.get(party)!),
      ).toBe(true);
    }
    const shares = new Map([...outputs].map(([p, o]) => [p, o.keyShare.secretShare]));
    const quorums = minimalAuthorisedSets(structure);
    expect(quorums.length).toBeGreaterThan(0);
    const secrets = new Set(
      quorums.map((q) =>
        reconstructSecretOffline(group, structure, new Map(q.map((p) => [p, shares.get(p)!]))),
      ),
    );
    expect(secrets.size).toBe(1);
    const [secret] = [...secrets];
    expect(group.baseMul(secret!).equals(first.keyShare.publicKey)).toBe(true);
  });
});

describe('DKG runs', () => {
  it('give fresh keys and chain codes for each session', () => {
    const structure = AccessStructure.threshold(2, 3);
    const a = runDkgLocally(secp256k1Group, structure).get('p1')!;
    const b = runDkgLocally(secp256k1Group, structure).get('p1')!;
    expect(a.keyShare.publicKey.equals(b.keyShare.publicKey)).toBe(false);
    expect(bytesToHex(a.chainCode)).not.toBe(bytesToHex(b.chainCode));
  });
});
