/**
 * The FROST wire format (messages.ts) and the secret-state serialisation (state.ts): JSON
 * round trips, rejection of unknown/missing fields and malformed values, and a snapshot that
 * pins the exact JSON of a round-1 broadcast made from the RFC 9591 Ed25519 vector.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../bytes.js';
import { ed25519Group } from '../curves/ed25519.js';
import type { CryptoError } from '../errors.js';
import { AccessStructure } from '../sharing/access-structure.js';
import { decodeFrostMessage, encodeFrostMessage } from './messages.js';
import { commitWithRandomness } from './round1.js';
import { restoreSignRound1Secret, serializeSignRound1Secret } from './state.js';

interface Vec {
  inputs: { verifying_key_key: string; participant_shares: { participant_share: string }[] };
  round_one_outputs: {
    outputs: { hiding_nonce_randomness: string; binding_nonce_randomness: string }[];
  };
}
const v = JSON.parse(
  readFileSync(new URL('../../test/vectors/frost/ed25519/vectors.json', import.meta.url), 'utf8'),
) as Vec;
const group = ed25519Group;
const structure = AccessStructure.threshold(2, 3);
const secretShare = group.decodeScalar(
  hexToBytes(v.inputs.participant_shares[0]!.participant_share),
);
const key = {
  group,
  structure,
  party: 'p1',
  secretShare,
  publicKey: group.decodePoint(hexToBytes(v.inputs.verifying_key_key)),
  verificationShares: new Map([['p1', group.baseMul(secretShare)]]),
};
const session = { suite: 'frost-ed25519' as const, sessionId: '00'.repeat(15) + '01' };
const out = v.round_one_outputs.outputs[0]!;
const fixed = () =>
  commitWithRandomness(
    key,
    session,
    hexToBytes(out.hiding_nonce_randomness),
    hexToBytes(out.binding_nonce_randomness),
  );

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as CryptoError).code;
  }
  return 'no error';
}

describe('FROST message JSON', () => {
  it('pins the bytes of a round-1 broadcast (snapshot)', () => {
    expect(encodeFrostMessage(fixed().outbound)).toBe(
      '{"protocol":"frost","version":1,"suite":"frost-ed25519",' +
        '"sessionId":"00000000000000000000000000000001","sender":"p1","round":1,' +
        '"hiding":"9b116f12589591a7e23fe8048059ab10ab48e67739e7a2fb3890f61a7999478c",' +
        '"binding":"c39b66b7dfccb122da24f13587f9a08c4347cae70046ca15169adf90ba65854d"}',
    );
  });

  it('round-trips and rejects unknown, missing and malformed fields', () => {
    const msg = fixed().outbound;
    const json = encodeFrostMessage(msg);
    expect(decodeFrostMessage(json)).toEqual(msg);
    const obj = JSON.parse(json) as Record<string, unknown>;
    const variants: Record<string, unknown>[] = [
      { ...obj, extra: 1 },
      { ...obj, version: 2 },
      { ...obj, protocol: 'dkg' },
      { ...obj, suite: 'frost-p256' },
      { ...obj, sessionId: 'xyz' },
      { ...obj, hiding: (obj.hiding as string).slice(2) },
      { ...obj, binding: (obj.binding as string).toUpperCase() },
      { ...obj, round: 3 },
      { ...obj, round: 2 },
    ];
    const missing = { ...obj };
    delete missing.binding;
    variants.push(missing);
    for (const bad of variants) {
      expect(code(() => decodeFrostMessage(JSON.stringify(bad)))).toBe('INVALID_MESSAGE');
    }
    try {
      decodeFrostMessage(JSON.stringify({ ...obj, extra: 1 }));
    } catch (e) {
      expect((e as CryptoError).culprits).toEqual(['p1']);
    }
    expect(code(() => decodeFrostMessage('not json'))).toBe('INVALID_MESSAGE');
  });
});

describe('FROST round-1 secret state', () => {
  it('round-trips, checks nonces against commitments, and rejects unknown fields', () => {
    const { state } = fixed();
    const json = serializeSignRound1Secret(state);
    expect(restoreSignRound1Secret(json)).toEqual(state);
    const obj = JSON.parse(json) as Record<string, unknown>;
    expect(code(() => restoreSignRound1Secret(JSON.stringify({ ...obj, x: 1 })))).toBe(
      'INVALID_MESSAGE',
    );
    const swapped = { ...obj, hidingNonce: obj.bindingNonce };
    expect(code(() => restoreSignRound1Secret(JSON.stringify(swapped)))).toBe('INVALID_MESSAGE');
  });
});
