/**
 * The serialised DKLs23 key share (stored by its holder, encrypted at rest): the sharing-layer
 * key share, key id, chain code, and per counterparty the zero-sharing seed and both OT setups.
 */
import { base64 } from '@scure/base';
import { bytesToHex, equalBytes } from '../../bytes.js';
import { secp256k1Group as G } from '../../curves/secp256k1.js';
import { decodeKeyShare, encodeKeyShare, type KeyShareJson } from '../../keys/key-share.js';
import {
  decodeOtExtensionReceiverSetup,
  decodeOtExtensionSenderSetup,
  encodeOtExtensionReceiverSetup,
  encodeOtExtensionSenderSetup,
} from '../../ot/index.js';
import type { PartyId } from '../../sharing/access-structure.js';
import { DKLS23_FORMAT_VERSION, Fields } from './json-fields.js';
import type { Dkls23KeyShare, Dkls23PairState } from './key-share.js';

export interface Dkls23KeyShareJson {
  readonly version: typeof DKLS23_FORMAT_VERSION;
  readonly kind: 'dkls23-key-share';
  readonly key: KeyShareJson;
  readonly keyId: string;
  readonly chainCode: string;
  readonly pairs: Record<PartyId, { zeroSeed: string; sender: string; receiver: string }>;
}

export function encodeDkls23KeyShare(share: Dkls23KeyShare): Dkls23KeyShareJson {
  const pairs: Dkls23KeyShareJson['pairs'] = {};
  for (const [party, pair] of share.pairs) {
    pairs[party] = {
      zeroSeed: bytesToHex(pair.zeroSeed),
      sender: base64.encode(encodeOtExtensionSenderSetup(pair.sender)),
      receiver: base64.encode(encodeOtExtensionReceiverSetup(pair.receiver)),
    };
  }
  return {
    version: DKLS23_FORMAT_VERSION,
    kind: 'dkls23-key-share',
    key: encodeKeyShare(share.key),
    keyId: bytesToHex(share.keyId),
    chainCode: bytesToHex(share.chainCode),
    pairs,
  };
}

export function decodeDkls23KeyShare(value: unknown): Dkls23KeyShare {
  const f = Fields.of(value, 'DKLs23 key share', [
    'version',
    'kind',
    'key',
    'keyId',
    'chainCode',
    'pairs',
  ]);
  if (f.integer('version') !== DKLS23_FORMAT_VERSION || f.string('kind') !== 'dkls23-key-share') {
    f.fail('unsupported version or kind');
  }
  const key = decodeKeyShare(f.raw('key'));
  if (key.group !== G) f.fail('DKLs23 keys are secp256k1 keys');
  const keyId = f.hex('keyId', 32);
  const others = key.structure.parties.filter((p) => p !== key.party);
  const pairs = new Map<PartyId, Dkls23PairState>();
  for (const [party, raw] of f.entries('pairs')) {
    if (!others.includes(party)) f.fail(`pairs names "${party}", not a counterparty`);
    const p = Fields.of(raw, `pairs.${party}`, ['zeroSeed', 'sender', 'receiver']);
    const sender = decodeOtExtensionSenderSetup(p.base64('sender'));
    const receiver = decodeOtExtensionReceiverSetup(p.base64('receiver'));
    for (const s of [sender, receiver]) {
      if (s.self !== key.party || s.counterparty !== party) {
        f.fail(`pairs.${party} is for another pair`);
      }
      // The OT setup was made in this key's setup session (keyed by the key id).
      if (!equalBytes(s.sessionId, keyId)) f.fail(`pairs.${party} belongs to another key`);
    }
    pairs.set(party, { zeroSeed: p.hex('zeroSeed', 32), sender, receiver });
  }
  if (pairs.size !== others.length) f.fail('pairwise state missing for some counterparty');
  return { key, keyId, chainCode: f.hex('chainCode', 32), pairs };
}
