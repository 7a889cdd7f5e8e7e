/**
 * Known-answer tests for RFC 9591 FROST (Appendix E style vectors from ZcashFoundation/frost,
 * see test/vectors/frost/PROVENANCE.md), one generic body run for every suite and vector
 * file: dealer shares → round 1 with the vectors' nonce randomness → commitments, binding
 * factor inputs, binding factors → round 2 shares → aggregate signature, byte for byte, and
 * the signature checked by an independent verifier from @noble/curves.
 */
import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { schnorr, secp256k1_FROST } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes, hexToBytes } from '../bytes.js';
import { AccessStructure, type PartyId } from '../sharing/access-structure.js';
import { lagrangeAtZero } from '../sharing/polynomial.js';
import { aggregate } from './aggregate.js';
import {
  bindingFactorPrefix,
  decodeCommitments,
  signingContext,
  type FrostKeyShare,
  type FrostSignerStructure,
} from './context.js';
import { encodeFrostMessage } from './messages.js';
import { commitWithRandomness } from './round1.js';
import { signShare } from './round2.js';
import type { FrostSuiteName } from './suite.js';
import { frostSuite } from './suites/index.js';
import { frostVerifyingKey, verifySignature } from './verify.js';

interface Vector {
  config: { MAX_PARTICIPANTS: string; MIN_PARTICIPANTS: string; NUM_PARTICIPANTS: string };
  inputs: {
    participant_list: number[];
    group_secret_key: string;
    verifying_key_key: string;
    message: string;
    participant_shares: { identifier: number; participant_share: string }[];
  };
  round_one_outputs: {
    outputs: {
      identifier: number;
      hiding_nonce_randomness: string;
      binding_nonce_randomness: string;
      hiding_nonce: string;
      binding_nonce: string;
      hiding_nonce_commitment: string;
      binding_nonce_commitment: string;
      binding_factor_input: string;
      binding_factor: string;
    }[];
  };
  round_two_outputs: { outputs: { identifier: number; sig_share: string }[] };
  final_output: { sig: string };
}

const VECTOR_DIR = new URL('../../test/vectors/frost/', import.meta.url);
const SUITES: [FrostSuiteName, string][] = [
  ['frost-ed25519', 'ed25519'],
  ['frost-secp256k1', 'secp256k1'],
  ['frost-taproot', 'secp256k1-tr'],
];
const SESSION = { sessionId: 'a1'.repeat(16) };

/**
 * Plain t-of-n Shamir over parties p1..pn with identifier = evaluation point. Used for the
 * 257-party vectors, beyond AccessStructure's 256-party limit; otherwise AccessStructure.
 */
function plainShamir(t: number, n: number): FrostSignerStructure {
  if (n <= 256) return AccessStructure.threshold(t, n);
  const id = (p: PartyId): number => Number(p.slice(1));
  return {
    participantId: id,
    coefficients(g, set) {
      const xs = [...set].map((p) => BigInt(id(p)));
      return new Map([...set].map((p) => [p, lagrangeAtZero(g, BigInt(id(p)), xs)]));
    },
  };
}

function keySharesOf(suiteName: FrostSuiteName, v: Vector): Map<number, FrostKeyShare> {
  const { group } = frostSuite(suiteName);
  const structure = plainShamir(
    Number(v.config.MIN_PARTICIPANTS),
    Number(v.config.MAX_PARTICIPANTS),
  );
  const publicKey = group.decodePoint(hexToBytes(v.inputs.verifying_key_key));
  const secrets = new Map<PartyId, bigint>();
  for (const s of v.inputs.participant_shares) {
    secrets.set(`p${s.identifier}`, group.decodeScalar(hexToBytes(s.participant_share)));
  }
  // Only the signers' verification shares are needed (and computed: 257 would be slow).
  const verificationShares = new Map(
    v.inputs.participant_list.map((i) => [`p${i}`, group.baseMul(secrets.get(`p${i}`)!)]),
  );
  return new Map(
    v.inputs.participant_list.map((i) => [
      i,
      {
        group,
        structure,
        party: `p${i}`,
        secretShare: secrets.get(`p${i}`)!,
        publicKey,
        verificationShares,
      },
    ]),
  );
}

function independentlyVerifies(
  suite: FrostSuiteName,
  sig: Uint8Array,
  msg: Uint8Array,
  key: Uint8Array,
): boolean {
  if (suite === 'frost-ed25519') return ed25519.verify(sig, msg, key, { zip215: false });
  if (suite === 'frost-taproot') return schnorr.verify(sig, msg, key);
  return secp256k1_FROST.verify(sig, msg, key);
}

describe.each(SUITES)('RFC 9591 known answers, %s', (suiteName, folder) => {
  it.each(['vectors.json', 'vectors-big-identifier.json'])('%s', (file) => {
    const v = JSON.parse(readFileSync(new URL(`${folder}/${file}`, VECTOR_DIR), 'utf8')) as Vector;
    const suite = frostSuite(suiteName);
    const { group } = suite;
    const session = { suite: suiteName, ...SESSION };
    const message = hexToBytes(v.inputs.message);
    const keys = keySharesOf(suiteName, v);
    const anyKey = keys.values().next().value!;
    expect(
      group
        .baseMul(group.decodeScalar(hexToBytes(v.inputs.group_secret_key)))
        .equals(anyKey.publicKey),
    ).toBe(true);

    // Round 1 with the vectors' randomness: nonces and commitments.
    const round1 = v.round_one_outputs.outputs.map((o) => {
      const r = commitWithRandomness(
        keys.get(o.identifier)!,
        session,
        hexToBytes(o.hiding_nonce_randomness),
        hexToBytes(o.binding_nonce_randomness),
      );
      expect(bytesToHex(group.encodeScalar(r.state.hidingNonce))).toBe(o.hiding_nonce);
      expect(bytesToHex(group.encodeScalar(r.state.bindingNonce))).toBe(o.binding_nonce);
      expect(r.outbound.hiding).toBe(o.hiding_nonce_commitment);
      expect(r.outbound.binding).toBe(o.binding_nonce_commitment);
      return r;
    });
    const inbound = round1.map((r) => r.outbound);

    // Binding factor inputs and binding factors (RFC 9591 §4.4).
    const entries = decodeCommitments(suite, anyKey, SESSION.sessionId, inbound);
    const ctx = signingContext(suite, anyKey, entries, message);
    const prefix = bindingFactorPrefix(
      suite,
      suite.group.encodePoint(ctx.transform.key),
      entries,
      message,
    );
    for (const o of v.round_one_outputs.outputs) {
      const input = concatBytes(prefix, group.encodeScalar(BigInt(o.identifier)));
      expect(bytesToHex(input)).toBe(o.binding_factor_input);
      const rho = ctx.bindingFactors.get(`p${o.identifier}`)!;
      expect(bytesToHex(group.encodeScalar(rho))).toBe(o.binding_factor);
    }

    // Round 2 shares (RFC 9591 §5.2).
    const shares = v.round_two_outputs.outputs.map((o, i) => {
      const { outbound } = signShare(round1[i]!.state, keys.get(o.identifier)!, inbound, message);
      expect(outbound.signatureShare).toBe(o.sig_share);
      return outbound;
    });

    // Aggregate (RFC 9591 §5.3) and verification.
    const sig = aggregate(anyKey, session, inbound, shares, message);
    expect(bytesToHex(sig)).toBe(v.final_output.sig);
    const verifyingKey = frostVerifyingKey(suiteName, anyKey);
    expect(verifySignature(suiteName, sig, message, verifyingKey)).toBe(true);
    expect(independentlyVerifies(suiteName, sig, message, verifyingKey)).toBe(true);
    expect(encodeFrostMessage(shares[0]!)).toContain(v.round_two_outputs.outputs[0]!.sig_share);
  });
});
