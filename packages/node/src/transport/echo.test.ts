/**
 * Broadcast consistency by echo (issue 4: "broadcasts get an echo/consistency check"):
 * consistent views pass; a sender that signs different broadcasts for different receivers
 * is named (EQUIVOCATION, provable from two signatures); an echoer that fabricates a
 * record is named (BAD_ECHO); a broadcast missing at one receiver is reported without
 * blame (INCONSISTENT_BROADCAST). Echo views travel as ordinary signed broadcasts.
 */
import { describe, expect, it } from 'vitest';
import { encodeEnvelope, signEnvelope } from './envelope.js';
import { BroadcastEcho, decodeEchoView, echoDigest, encodeEchoView } from './echo.js';
import type { EchoView } from './echo.js';
import { directoryOf } from './identity-types.js';
import { Inbox } from './inbox.js';
import { Outbox } from './outbox.js';
import { makeLocalNode } from './test-support.js';

const SESSION = 'ec40'.repeat(4);
const nodes = ['node-a', 'node-b', 'node-c'].map(makeLocalNode);
const dir = directoryOf(nodes.map((n) => n.identity));
const participants = nodes.map((n) => n.identity.nodeId);

/** One broadcast round; `bodyFor(sender, receiver)` lets a sender equivocate. */
function round(bodyFor: (sender: string, receiver: string) => Uint8Array) {
  const echoes = new Map<string, BroadcastEcho>();
  for (const n of nodes) {
    echoes.set(
      n.identity.nodeId,
      new BroadcastEcho({ session: SESSION, participants, directory: dir }),
    );
  }
  for (const sender of nodes) {
    const sid = sender.identity.nodeId;
    for (const receiver of nodes) {
      const rid = receiver.identity.nodeId;
      const header = { v: 1, session: SESSION, from: sid, to: '*', seq: 0 } as const;
      const env = signEnvelope({ ...header, kind: 'broadcast' }, bodyFor(sid, rid), sender.signer);
      if (rid === sid) echoes.get(rid)!.record(env);
      else echoes.get(rid)!.record(new Inbox(receiver, dir).open(encodeEnvelope(env)).envelope);
    }
  }
  return echoes;
}

/** Exchanges echo views as signed broadcasts, then returns each node's check outcome. */
function exchange(
  echoes: Map<string, BroadcastEcho>,
  rewrite?: (from: string, v: EchoView) => EchoView,
) {
  const inboxes = new Map(nodes.map((n) => [n.identity.nodeId, new Inbox(n, dir)]));
  for (const n of nodes) {
    const id = n.identity.nodeId;
    const view = rewrite ? rewrite(id, echoes.get(id)!.view()) : echoes.get(id)!.view();
    const sealed = new Outbox(n, dir).broadcast(SESSION, encodeEchoView(view));
    for (const other of participants.filter((p) => p !== id)) {
      const msg = inboxes.get(other)!.open(sealed.bytes);
      echoes.get(other)!.addEcho(msg.from, decodeEchoView(msg.payload, msg.from));
    }
  }
  return (id: string) => () => echoes.get(id)!.check(id);
}

describe('broadcast echo', () => {
  it('accepts a round where everyone saw the same broadcasts', () => {
    const echoes = round((s) => new TextEncoder().encode(`commitment of ${s}`));
    const check = exchange(echoes);
    for (const id of participants) expect(check(id)).not.toThrow();
    const digests = participants.map((id) => echoDigest(echoes.get(id)!.view()).join());
    expect(new Set(digests).size).toBe(1);
  });

  it('names a sender that equivocates', () => {
    const echoes = round((s, r) =>
      new TextEncoder().encode(s === 'node-a' && r === 'node-c' ? 'evil' : `commitment of ${s}`),
    );
    const check = exchange(echoes);
    for (const id of ['node-b', 'node-c']) {
      expect(check(id)).toThrow(
        expect.objectContaining({ code: 'EQUIVOCATION', sender: 'node-a', culprits: ['node-a'] }),
      );
    }
  });

  it('names an echoer that fabricates a record', () => {
    const echoes = round((s) => new TextEncoder().encode(`commitment of ${s}`));
    const check = exchange(echoes, (from, v) =>
      from !== 'node-c'
        ? v
        : {
            ...v,
            records: v.records.map((r) =>
              r.from === 'node-a' ? { ...r, bodyHash: new Uint8Array(32).fill(1) } : r,
            ),
          },
    );
    expect(check('node-b')).toThrow(
      expect.objectContaining({ code: 'BAD_ECHO', culprits: ['node-c'] }),
    );
  });

  it('reports a broadcast missing at one receiver without blaming anyone', () => {
    const echoes = round((s) => new TextEncoder().encode(`commitment of ${s}`));
    const check = exchange(echoes, (from, v) =>
      from === 'node-c' ? { ...v, records: v.records.filter((r) => r.from !== 'node-a') } : v,
    );
    expect(check('node-b')).toThrow(
      expect.objectContaining({ code: 'INCONSISTENT_BROADCAST', sender: 'node-a', culprits: [] }),
    );
  });

  it('reports missing echoes', () => {
    const echoes = round((s) => new TextEncoder().encode(`commitment of ${s}`));
    expect(() => echoes.get('node-a')!.check('node-a')).toThrow(
      expect.objectContaining({ code: 'INCONSISTENT_BROADCAST' }),
    );
    expect(echoes.get('node-a')!.pending('node-a')).toEqual(['node-b', 'node-c']);
  });

  it('rejects a malformed echo payload naming the echoer', () => {
    expect(() => decodeEchoView(new TextEncoder().encode('{"v":1}'), 'node-b')).toThrow(
      expect.objectContaining({ code: 'BAD_ECHO', culprits: ['node-b'] }),
    );
  });
});
