/**
 * The relay may delay or drop, nothing else (issue 4, "Transport"): adversarial relays
 * that tamper, replay, reorder, inject an unenrolled sender's message, misroute or
 * re-address envelopes are each detected by `openEnvelope` with the typed error naming
 * the (claimed) sender. Messages flow through a MemoryRelay wrapped by AdversarialRelay.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, signEnvelope } from './envelope.js';
import { TransportError } from './errors.js';
import type { TransportErrorCode } from './errors.js';
import { directoryOf } from './identity-types.js';
import type { LocalNode } from './identity-types.js';
import { Inbox } from './inbox.js';
import type { OpenedMessage } from './inbox.js';
import { MemoryRelay } from './memory-relay.js';
import { Outbox } from './outbox.js';
import type { Relay } from './relay.js';
import { AdversarialRelay, makeLocalNode, waitFor } from './test-support.js';
import type { Publication } from './test-support.js';

const SESSION = '5e55'.repeat(8);
const a = makeLocalNode('node-a');
const b = makeLocalNode('node-b');
const c = makeLocalNode('node-c');
const dir = directoryOf([a.identity, b.identity, c.identity]);

interface Received {
  ok: OpenedMessage[];
  errors: TransportError[];
}

/** Subscribes `node` with its own inbox; collects opened messages and typed rejections. */
function attach(relay: Relay, node: LocalNode): Received {
  const inbox = new Inbox(node, dir);
  const r: Received = { ok: [], errors: [] };
  relay.subscribe(node.identity.nodeId, (bytes) => {
    try {
      r.ok.push(inbox.open(bytes));
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      r.errors.push(e);
    }
  });
  return r;
}

let relays: Relay[] = [];
afterEach(async () => {
  await Promise.all(relays.map((r) => r.close()));
  relays = [];
});

function adversary(intercept: (p: Publication, h: readonly Publication[]) => Publication[]) {
  const relay = new AdversarialRelay(new MemoryRelay(), intercept);
  relays.push(relay);
  return relay;
}

async function expectRejected(r: Received, code: TransportErrorCode, sender: string | null) {
  await waitFor(() => r.errors.length > 0, 2_000, `a ${code} rejection`);
  expect(r.errors[0]).toMatchObject({ code, sender });
  expect(r.errors[0]?.message).toContain(sender ?? 'unknown sender');
}

/** Flips one base64 character of the body to another valid one. */
function tamperBody(bytes: Uint8Array): Uint8Array {
  const o = JSON.parse(new TextDecoder().decode(bytes)) as { body: string };
  const ch = o.body[3] === 'A' ? 'B' : 'A';
  o.body = o.body.slice(0, 3) + ch + o.body.slice(4);
  return utf8ToBytes(JSON.stringify(o));
}

describe('openEnvelope against a hostile relay', () => {
  it('delivers honest traffic in order', async () => {
    const relay = adversary((p) => [p]);
    const rb = attach(relay, b);
    const out = new Outbox(a, dir);
    for (let i = 0; i < 3; i++) {
      const s = out.direct(SESSION, 'node-b', Uint8Array.of(i));
      await relay.publish(s.bytes, 'node-b');
    }
    await waitFor(() => rb.ok.length === 3);
    expect(rb.ok.map((m) => m.payload[0])).toEqual([0, 1, 2]);
    expect(rb.errors).toEqual([]);
  });

  it('detects a tampered direct ciphertext (BAD_SIGNATURE naming the sender)', async () => {
    const relay = adversary((p) => [{ ...p, bytes: tamperBody(p.bytes) }]);
    const rb = attach(relay, b);
    const s = new Outbox(a, dir).direct(SESSION, 'node-b', utf8ToBytes('secret share'));
    await relay.publish(s.bytes, 'node-b');
    await expectRejected(rb, 'BAD_SIGNATURE', 'node-a');
    expect(rb.ok).toEqual([]);
  });

  it('detects a tampered broadcast body', async () => {
    const relay = adversary((p) => [{ ...p, bytes: tamperBody(p.bytes) }]);
    const rc = attach(relay, c);
    const s = new Outbox(a, dir).broadcast(SESSION, utf8ToBytes('commitment to the polynomial'));
    await relay.publish(s.bytes, '*');
    await expectRejected(rc, 'BAD_SIGNATURE', 'node-a');
  });

  it('detects a replayed envelope (REPLAYED)', async () => {
    const relay = adversary((p, history) => (history.length === 1 ? [p, history[0]!] : [p]));
    const rb = attach(relay, b);
    const out = new Outbox(a, dir);
    await relay.publish(out.direct(SESSION, 'node-b', Uint8Array.of(0)).bytes, 'node-b');
    await relay.publish(out.direct(SESSION, 'node-b', Uint8Array.of(1)).bytes, 'node-b');
    await expectRejected(rb, 'REPLAYED', 'node-a');
    expect(rb.ok.map((m) => m.seq)).toEqual([0, 1]);
  });

  it('detects two swapped envelopes (OUT_OF_ORDER)', async () => {
    let held: Publication | undefined;
    const relay = adversary((p) => {
      if (!held) {
        held = p;
        return [];
      }
      return [p, held];
    });
    const rb = attach(relay, b);
    const out = new Outbox(a, dir);
    await relay.publish(out.broadcast(SESSION, Uint8Array.of(0)).bytes, '*');
    await relay.publish(out.broadcast(SESSION, Uint8Array.of(1)).bytes, '*');
    await expectRejected(rb, 'OUT_OF_ORDER', 'node-a');
  });

  it('detects a dropped envelope as a gap (OUT_OF_ORDER)', async () => {
    const relay = adversary((p, history) => (history.length === 0 ? [] : [p]));
    const rb = attach(relay, b);
    const out = new Outbox(a, dir);
    await relay.publish(out.direct(SESSION, 'node-b', Uint8Array.of(0)).bytes, 'node-b');
    await relay.publish(out.direct(SESSION, 'node-b', Uint8Array.of(1)).bytes, 'node-b');
    await expectRejected(rb, 'OUT_OF_ORDER', 'node-a');
  });

  it('rejects a message injected under an unenrolled key (UNKNOWN_SENDER)', async () => {
    const mallory = makeLocalNode('mallory');
    const relay = adversary((p) => {
      const forged = new Outbox(mallory, directoryOf([mallory.identity, b.identity]));
      return [p, { bytes: forged.direct(SESSION, 'node-b', utf8ToBytes('x')).bytes, to: p.to }];
    });
    const rb = attach(relay, b);
    await relay.publish(
      new Outbox(a, dir).direct(SESSION, 'node-b', Uint8Array.of(1)).bytes,
      'node-b',
    );
    await expectRejected(rb, 'UNKNOWN_SENDER', null);
    expect(rb.ok).toHaveLength(1);
  });

  it('rejects a message claiming an enrolled sender but signed by another key', async () => {
    const mallory = makeLocalNode('node-a'); // same id, different keys
    const relay = adversary(() => {
      const header = { v: 1, session: SESSION, from: 'node-a', to: '*', seq: 0 } as const;
      const env = signEnvelope({ ...header, kind: 'broadcast' }, Uint8Array.of(9), mallory.signer);
      return [{ bytes: encodeEnvelope(env), to: '*' }];
    });
    const rb = attach(relay, b);
    await relay.publish(new Outbox(a, dir).broadcast(SESSION, Uint8Array.of(1)).bytes, '*');
    await expectRejected(rb, 'BAD_SIGNATURE', 'node-a');
    expect(rb.errors[0]?.culprits).toEqual([]);
  });

  it('rejects an envelope delivered to the wrong node (WRONG_RECIPIENT)', async () => {
    const relay = adversary((p) => [{ ...p, to: 'node-c' }]);
    const rc = attach(relay, c);
    await relay.publish(
      new Outbox(a, dir).direct(SESSION, 'node-b', Uint8Array.of(1)).bytes,
      'node-b',
    );
    await expectRejected(rc, 'WRONG_RECIPIENT', 'node-a');
  });

  it('rejects an envelope whose recipient field was rewritten (BAD_SIGNATURE)', async () => {
    const relay = adversary((p) => {
      const env = decodeEnvelope(p.bytes);
      return [{ bytes: encodeEnvelope({ ...env, to: 'node-c' }), to: 'node-c' }];
    });
    const rc = attach(relay, c);
    await relay.publish(
      new Outbox(a, dir).direct(SESSION, 'node-b', Uint8Array.of(1)).bytes,
      'node-b',
    );
    await expectRejected(rc, 'BAD_SIGNATURE', 'node-a');
  });

  it('blames the sender for a signed body that does not decrypt', () => {
    const header = { v: 1, session: SESSION, from: 'node-a', to: 'node-b', seq: 0 } as const;
    const env = signEnvelope({ ...header, kind: 'direct' }, new Uint8Array(80), a.signer);
    expect(() => new Inbox(b, dir).open(encodeEnvelope(env))).toThrow(
      expect.objectContaining({ code: 'DECRYPTION_FAILED', culprits: ['node-a'] }),
    );
  });

  it('rejects a non-canonical signature encoding', () => {
    const s = new Outbox(a, dir).broadcast(SESSION, Uint8Array.of(1));
    const env = decodeEnvelope(s.bytes);
    // S + L is the malleable twin of a valid signature; strict verification refuses it.
    const sig = env.signature.slice();
    const L = ed25519.Point.Fn.ORDER;
    let sVal = 0n;
    for (let i = 31; i >= 0; i--) sVal = (sVal << 8n) | BigInt(sig[32 + i]!);
    let twin = sVal + L;
    for (let i = 0; i < 32; i++, twin >>= 8n) sig[32 + i] = Number(twin & 0xffn);
    expect(() => new Inbox(b, dir).open(encodeEnvelope({ ...env, signature: sig }))).toThrow(
      expect.objectContaining({ code: 'BAD_SIGNATURE', sender: 'node-a' }),
    );
  });
});
