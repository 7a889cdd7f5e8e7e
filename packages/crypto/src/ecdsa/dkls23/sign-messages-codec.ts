/**
 * Wire form of the DKLs23 signing messages (carried by the relay inside signed envelopes):
 * JSON with a fixed field set per round; RVOLE messages as base64 of the OT layer's binary
 * encoding. Decoding validates every value and names the claimed sender.
 */
import { base64 } from '@scure/base';
import { bytesToHex } from '../../bytes.js';
import { CryptoError } from '../../errors.js';
import {
  decodeRvoleReceiverMessage,
  decodeRvoleSenderMessage,
  encodeRvoleReceiverMessage,
  encodeRvoleSenderMessage,
} from '../../ot/index.js';
import type { PartyId } from '../../sharing/access-structure.js';
import { Fields, hexPoint, hexScalar, type Json } from './json-fields.js';
import { SIGN_PROTOCOL, SIGN_VERSION } from './session.js';
import type {
  EcdsaSignRound1Direct,
  EcdsaSignRound2Direct,
  EcdsaSignRound3Broadcast,
} from './sign-types.js';

export type EcdsaSignMessage =
  EcdsaSignRound1Direct | EcdsaSignRound2Direct | EcdsaSignRound3Broadcast;

const HEADER = ['protocol', 'version', 'sessionId', 'sender', 'round'] as const;
const ROUND_FIELDS: Record<number, readonly string[]> = {
  1: [...HEADER, 'recipient', 'commitment', 'multiplication'],
  2: [
    ...HEADER,
    ...[
      'recipient',
      'multiplication',
      'gammaU',
      'gammaV',
      'psi',
      'publicShare',
      'noncePoint',
      'salt',
    ],
  ],
  3: [...HEADER, 'u', 'w'],
};

export function encodeEcdsaSignMessage(m: EcdsaSignMessage): string {
  const head = {
    protocol: m.protocol,
    version: m.version,
    sessionId: m.sessionId,
    sender: m.sender,
    round: m.round,
  };
  switch (m.round) {
    case 1:
      return JSON.stringify({
        ...head,
        recipient: m.recipient,
        commitment: bytesToHex(m.commitment),
        multiplication: base64.encode(encodeRvoleReceiverMessage(m.multiplication)),
      });
    case 2:
      return JSON.stringify({
        ...head,
        recipient: m.recipient,
        multiplication: base64.encode(encodeRvoleSenderMessage(m.multiplication)),
        gammaU: hexPoint(m.gammaU),
        gammaV: hexPoint(m.gammaV),
        psi: hexScalar(m.psi),
        publicShare: hexPoint(m.publicShare),
        noncePoint: hexPoint(m.noncePoint),
        salt: bytesToHex(m.salt),
      });
    case 3:
      return JSON.stringify({ ...head, u: hexScalar(m.u), w: hexScalar(m.w) });
  }
}

/** Decodes and validates a signing message; errors name the claimed sender. */
export function decodeEcdsaSignMessage(json: string): EcdsaSignMessage {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new CryptoError('INVALID_MESSAGE', 'signing message is not JSON');
  }
  const sender =
    typeof (value as Json | null)?.sender === 'string' ? String((value as Json).sender) : undefined;
  const round = (value as Json | null)?.round;
  const fields = typeof round === 'number' ? ROUND_FIELDS[round] : undefined;
  if (!fields) {
    throw new CryptoError('INVALID_MESSAGE', 'unknown signing round', sender ? [sender] : []);
  }
  const f = Fields.of(value, `${SIGN_PROTOCOL} round ${String(round)}`, fields, sender);
  if (f.string('protocol') !== SIGN_PROTOCOL || f.integer('version') !== SIGN_VERSION) {
    f.fail('not a DKLs23 signing message of a supported version');
  }
  const head = {
    protocol: SIGN_PROTOCOL,
    version: SIGN_VERSION,
    sessionId: bytesToHex(f.hex('sessionId', 32)),
    sender: f.string('sender'),
  } as const;
  const from = head.sender;
  const opaque = <T>(decode: (b: Uint8Array, from: PartyId) => T): T =>
    decode(f.base64('multiplication'), from);
  if (round === 1) {
    return {
      ...head,
      round: 1,
      recipient: f.string('recipient'),
      commitment: f.hex('commitment', 32),
      multiplication: opaque(decodeRvoleReceiverMessage),
    };
  }
  if (round === 2) {
    return {
      ...head,
      round: 2,
      recipient: f.string('recipient'),
      multiplication: opaque(decodeRvoleSenderMessage),
      gammaU: f.point('gammaU'),
      gammaV: f.point('gammaV'),
      psi: f.scalar('psi'),
      publicShare: f.point('publicShare'),
      noncePoint: f.point('noncePoint'),
      salt: f.hex('salt', 32),
    };
  }
  return { ...head, round: 3, u: f.scalar('u'), w: f.scalar('w') };
}
