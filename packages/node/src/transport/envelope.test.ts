/**
 * Envelope format and crypto (issue 4, "Transport"): round trips of direct and broadcast
 * envelopes, strict wire decoding, pinned canonical signing bytes, direct bodies opaque
 * to the relay, and per-direction keys (HKDF info carries both ids and the direction).
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, envelopeSigningBytes } from './envelope.js';
import { TransportError } from './errors.js';
import { directoryOf } from './identity-types.js';
import { Inbox } from './inbox.js';
import { Outbox } from './outbox.js';
import { deriveDirectKey, openDirectBody } from './sealed-box.js';
import { makeLocalNode } from './test-support.js';

const SESSION = 'c0ffee01';
const a = makeLocalNode('node-a');
const b = makeLocalNode('node-b');
const c = makeLocalNode('node-c');
const dir = directoryOf([a.identity, b.identity, c.identity]);
const SECRET = 'share-of-the-vault-key: 0x1234567890abcdef';

describe('envelope', () => {
  it('round-trips a direct envelope: only the recipient reads it', () => {
    const sealed = new Outbox(a, dir).direct(SESSION, 'node-b', utf8ToBytes(SECRET));
    const got = new Inbox(b, dir).open(sealed.bytes);
    expect(new TextDecoder().decode(got.payload)).toBe(SECRET);
    expect(got).toMatchObject({ session: SESSION, from: 'node-a', to: 'node-b', seq: 0 });
    expect(got.kind).toBe('direct');
  });

  it('round-trips a broadcast envelope to every participant', () => {
    const sealed = new Outbox(a, dir).broadcast(SESSION, utf8ToBytes('commitments'));
    for (const n of [b, c]) {
      const got = new Inbox(n, dir).open(sealed.bytes);
      expect(new TextDecoder().decode(got.payload)).toBe('commitments');
      expect(got.to).toBe('*');
    }
  });

  it('numbers each (session, channel) stream from 0', () => {
    const out = new Outbox(a, dir);
    const seqs = [
      out.direct(SESSION, 'node-b', Uint8Array.of(1)).envelope.seq,
      out.direct(SESSION, 'node-c', Uint8Array.of(2)).envelope.seq,
      out.direct(SESSION, 'node-b', Uint8Array.of(3)).envelope.seq,
      out.broadcast(SESSION, Uint8Array.of(4)).envelope.seq,
      out.direct('c0ffee02', 'node-b', Uint8Array.of(5)).envelope.seq,
    ];
    expect(seqs).toEqual([0, 0, 1, 0, 0]);
  });

  it('keeps the plaintext of a direct body out of the wire bytes', () => {
    const sealed = new Outbox(a, dir).direct(SESSION, 'node-b', utf8ToBytes(SECRET));
    const wire = new TextDecoder().decode(sealed.bytes);
    expect(wire).not.toContain(SECRET);
    expect(wire).not.toContain(Buffer.from(SECRET).toString('base64').slice(0, 16));
    expect(wire).not.toContain(bytesToHex(utf8ToBytes(SECRET)).slice(0, 16));
    expect(Buffer.from(sealed.bytes).includes(Buffer.from(SECRET))).toBe(false);
  });

  it('does not let a third node decrypt a direct body', () => {
    const sealed = new Outbox(a, dir).direct(SESSION, 'node-b', utf8ToBytes(SECRET));
    const env = decodeEnvelope(sealed.bytes);
    expect(() => openDirectBody(env, c, a.identity, env.body)).toThrow(TransportError);
  });

  it('derives different keys for A→B and B→A from the same shared secrets', () => {
    const dhStatic = a.signer.x25519SharedSecret(b.identity.encryptionPublicKey);
    expect(bytesToHex(dhStatic)).toBe(
      bytesToHex(b.signer.x25519SharedSecret(a.identity.encryptionPublicKey)),
    );
    const eph = x25519.keygen();
    const common = { dhEphemeral: new Uint8Array(32).fill(7), dhStatic, session: SESSION };
    const ab = deriveDirectKey({
      ...common,
      ephemeralPublicKey: eph.publicKey,
      from: 'node-a',
      to: 'node-b',
      senderEncryptionKey: a.identity.encryptionPublicKey,
      recipientEncryptionKey: b.identity.encryptionPublicKey,
    });
    const ba = deriveDirectKey({
      ...common,
      ephemeralPublicKey: eph.publicKey,
      from: 'node-b',
      to: 'node-a',
      senderEncryptionKey: b.identity.encryptionPublicKey,
      recipientEncryptionKey: a.identity.encryptionPublicKey,
    });
    expect(bytesToHex(ab.key)).not.toBe(bytesToHex(ba.key));
    expect(bytesToHex(ab.nonce)).not.toBe(bytesToHex(ba.nonce));
  });

  it('pins the canonical signing bytes (v1 wire snapshot)', () => {
    const header = { v: 1, session: 'ab', from: 'n1', to: '*', seq: 1, kind: 'broadcast' } as const;
    expect(bytesToHex(envelopeSigningBytes(header, Uint8Array.of()))).toMatchInlineSnapshot(
      `"0000001c636f666665722f7472616e73706f72742f656e76656c6f70652f76310000002e000000010100000001ab000000026e31000000012a0000000800000000000000010000000962726f61646361737400000020e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"`,
    );
  });

  it('rejects unknown fields, a wrong version and a direct message to "*"', () => {
    const sealed = new Outbox(a, dir).broadcast(SESSION, Uint8Array.of(1));
    const wire = JSON.parse(new TextDecoder().decode(sealed.bytes)) as Record<string, unknown>;
    const enc = (o: unknown) => utf8ToBytes(JSON.stringify(o));
    const bad = [
      { ...wire, extra: 1 },
      { ...wire, v: 2 },
      { ...wire, kind: 'direct' },
      { ...wire, seq: -1 },
      { ...wire, session: 'C0FFEE01' },
    ];
    for (const o of bad) {
      expect(() => decodeEnvelope(enc(o))).toThrow(
        expect.objectContaining({ code: 'MALFORMED_ENVELOPE', sender: 'node-a' }),
      );
    }
    expect(decodeEnvelope(encodeEnvelope(decodeEnvelope(sealed.bytes)))).toEqual(
      decodeEnvelope(sealed.bytes),
    );
  });
});
