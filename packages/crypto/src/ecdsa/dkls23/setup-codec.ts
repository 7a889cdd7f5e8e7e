/**
 * Serialised forms of the DKLs23 pairwise setup: its messages (base-OT flows as base64 of the
 * OT layer's binary encodings) and a party's secret state between setup rounds, so a node can
 * persist a key generation in progress (CRYPTO.md invariant 6).
 */
import { base64 } from '@scure/base';
import { bytesToHex } from '../../bytes.js';
import { CryptoError } from '../../errors.js';
import {
  decodeBaseOtReceiverState1,
  decodeBaseOtReceiverState2,
  decodeBaseOtSenderState1,
  decodeBaseOtSenderState2,
  decodeOtExtensionReceiverSetup,
  encodeBaseOtReceiverState1,
  encodeBaseOtReceiverState2,
  encodeBaseOtSenderState1,
  encodeBaseOtSenderState2,
  encodeOtExtensionReceiverSetup,
} from '../../ot/index.js';
import type { PartyId } from '../../sharing/access-structure.js';
import { checkKind, DKLS23_FORMAT_VERSION, Fields, parseJson, type Json } from './json-fields.js';
import {
  SETUP_PROTOCOL,
  SETUP_VERSION,
  type PairProgress,
  type SetupDirect,
  type SetupState,
} from './setup.js';

const MESSAGE_FIELDS = [
  'protocol',
  'version',
  'sessionId',
  'sender',
  'recipient',
  'round',
  'baseOt',
];

export function encodeSetupMessage(m: SetupDirect): string {
  return JSON.stringify({
    protocol: m.protocol,
    version: m.version,
    sessionId: m.sessionId,
    sender: m.sender,
    recipient: m.recipient,
    round: m.round,
    baseOt: base64.encode(m.baseOt),
    ...(m.zeroSeed ? { zeroSeed: bytesToHex(m.zeroSeed) } : {}),
  });
}

export function decodeSetupMessage(json: string): SetupDirect {
  const value = parseJson(json) as Json | null;
  const sender = typeof value?.sender === 'string' ? value.sender : undefined;
  const hasSeed = value !== null && typeof value === 'object' && 'zeroSeed' in value;
  const f = Fields.of(
    value,
    `${SETUP_PROTOCOL} message`,
    hasSeed ? [...MESSAGE_FIELDS, 'zeroSeed'] : MESSAGE_FIELDS,
    sender,
  );
  if (f.string('protocol') !== SETUP_PROTOCOL || f.integer('version') !== SETUP_VERSION) {
    f.fail('not a DKLs23 setup message of a supported version');
  }
  return {
    protocol: SETUP_PROTOCOL,
    version: SETUP_VERSION,
    sessionId: bytesToHex(f.hex('sessionId', 32)),
    sender: f.string('sender'),
    recipient: f.string('recipient'),
    round: f.integer('round'),
    baseOt: f.base64('baseOt'),
    ...(hasSeed ? { zeroSeed: f.hex('zeroSeed', 32) } : {}),
  };
}

type Encoded = Partial<Record<keyof PairProgress, string>>;

function encodePair(p: PairProgress): Encoded {
  const out: Encoded = { zeroContribution: bytesToHex(p.zeroContribution) };
  if (p.bob) {
    out.bob = base64.encode(
      p.bob.kind === 'base-ot/sender/1'
        ? encodeBaseOtSenderState1(p.bob)
        : encodeBaseOtSenderState2(p.bob),
    );
  }
  if (p.alice) {
    out.alice = base64.encode(
      p.alice.kind === 'base-ot/receiver/1'
        ? encodeBaseOtReceiverState1(p.alice)
        : encodeBaseOtReceiverState2(p.alice),
    );
  }
  if (p.receiverSetup) {
    out.receiverSetup = base64.encode(encodeOtExtensionReceiverSetup(p.receiverSetup));
  }
  if (p.theirZeroCommitment) out.theirZeroCommitment = bytesToHex(p.theirZeroCommitment);
  if (p.zeroSeed) out.zeroSeed = bytesToHex(p.zeroSeed);
  return out;
}

/** Which base-OT state each party holds after `round - 1` setup rounds. */
function decodePair(raw: unknown, party: PartyId, round: number): PairProgress {
  const allowed = ['zeroContribution', 'bob', 'alice'];
  if (round >= 2) allowed.push('theirZeroCommitment');
  if (round >= 3) allowed.push('zeroSeed');
  if (round >= 5) allowed.push('receiverSetup');
  if (round >= 5) allowed.splice(allowed.indexOf('bob'), 1);
  if (round < 2) allowed.splice(allowed.indexOf('alice'), 1);
  const f = Fields.of(raw, `pairs.${party}`, allowed);
  const p: PairProgress = { zeroContribution: f.hex('zeroContribution', 32) };
  if (allowed.includes('bob')) {
    const bytes = f.base64('bob');
    p.bob = round <= 2 ? decodeBaseOtSenderState1(bytes) : decodeBaseOtSenderState2(bytes);
  }
  if (allowed.includes('alice')) {
    const bytes = f.base64('alice');
    p.alice = round <= 3 ? decodeBaseOtReceiverState1(bytes) : decodeBaseOtReceiverState2(bytes);
  }
  if (round >= 2) p.theirZeroCommitment = f.hex('theirZeroCommitment', 32);
  if (round >= 3) p.zeroSeed = f.hex('zeroSeed', 32);
  if (round >= 5) p.receiverSetup = decodeOtExtensionReceiverSetup(f.base64('receiverSetup'));
  return p;
}

export function encodeSetupState(state: SetupState): string {
  if (state.consumed) throw new CryptoError('STATE_CONSUMED', 'a consumed state cannot be saved');
  return JSON.stringify({
    version: DKLS23_FORMAT_VERSION,
    kind: 'dkls23-setup-state',
    sessionId: bytesToHex(state.sessionId),
    self: state.self,
    others: state.others,
    round: state.round,
    pairs: Object.fromEntries([...state.pairs].map(([j, p]) => [j, encodePair(p)])),
  });
}

export function decodeSetupState(json: string): SetupState {
  const f = Fields.of(parseJson(json), 'setup state', [
    ...['version', 'kind', 'sessionId', 'self', 'others', 'round', 'pairs'],
  ]);
  checkKind(f, 'dkls23-setup-state');
  const round = f.integer('round');
  if (round < 1 || round > 5) f.fail('round must be 1..5');
  const others = f.stringList('others');
  const pairs = new Map(f.entries('pairs').map(([j, raw]) => [j, decodePair(raw, j, round)]));
  if (pairs.size !== others.length || !others.every((o) => pairs.has(o))) {
    f.fail('pairs must cover exactly the other parties');
  }
  return {
    sessionId: f.hex('sessionId'),
    self: f.string('self'),
    others,
    round,
    pairs,
    consumed: false,
  };
}
