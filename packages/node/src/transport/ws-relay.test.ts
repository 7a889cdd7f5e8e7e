/**
 * WebSocket relay (issue 4, "Transport": nodes connect outbound and authenticate with their
 * identity key). Real sockets on 127.0.0.1, random ports: routing of direct and broadcast
 * envelopes, the relay never holding plaintext, challenge-response authentication (wrong
 * key, unenrolled node, replayed answer, pinned server id), sender binding, and reconnect
 * with re-authentication after the server restarts.
 */
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { directoryOf } from './identity-types.js';
import type { LocalNode } from './identity-types.js';
import { Inbox } from './inbox.js';
import type { OpenedMessage } from './inbox.js';
import { MemoryRelay } from './memory-relay.js';
import { Outbox } from './outbox.js';
import {
  CLOSE_AUTH_FAILED,
  CLOSE_AUTH_TIMEOUT,
  CLOSE_NOT_ENROLLED,
  authSigningBytes,
  rawToBytes,
} from './relay-auth.js';
import type { ChallengeFrame } from './relay-auth.js';
import { AdversarialRelay, makeLocalNode, waitFor } from './test-support.js';
import { WsRelayClient } from './ws-relay-client.js';
import { WsRelayServer } from './ws-relay-server.js';

const silent = pino({ level: 'silent' });
const SESSION = '77'.repeat(16);
const a = makeLocalNode('node-a');
const b = makeLocalNode('node-b');
const c = makeLocalNode('node-c');
const enrolled = [a.identity, b.identity, c.identity];
const dir = directoryOf(enrolled);
const FAST = { initialMs: 20, maxMs: 200 };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function server(opts: Partial<Parameters<typeof WsRelayServer.start>[0]> = {}) {
  const s = await WsRelayServer.start({ serverId: 'relay-1', enrolled, logger: silent, ...opts });
  cleanup.push(() => s.close());
  return s;
}

function client(url: string, node: LocalNode, serverId?: string) {
  const cl = new WsRelayClient({
    url,
    node,
    logger: silent,
    backoff: FAST,
    ...(serverId ? { serverId } : {}),
  });
  cleanup.push(() => cl.close());
  return cl;
}

function receive(cl: WsRelayClient, node: LocalNode): OpenedMessage[] {
  const inbox = new Inbox(node, dir);
  const got: OpenedMessage[] = [];
  cl.subscribe(node.identity.nodeId, (bytes) => got.push(inbox.open(bytes)));
  return got;
}

/** A raw socket that answers the challenge with `answer`; resolves with the close code. */
function rawAuth(url: string, answer: (challenge: Record<string, unknown>) => unknown) {
  return new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error('no close within 3 s')), 3_000);
    ws.on('message', (data) => {
      const msg = JSON.parse(new TextDecoder().decode(rawToBytes(data))) as Record<string, unknown>;
      if (msg.t === 'challenge') ws.send(JSON.stringify(answer(msg)));
    });
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Answers one challenge correctly as `node` and returns the answer (a wire recording). */
function recordAuth(url: string, node: LocalNode) {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error('not ready within 3 s')), 3_000);
    let answer: Record<string, unknown> | undefined;
    ws.on('message', (data) => {
      const msg = JSON.parse(new TextDecoder().decode(rawToBytes(data))) as Record<string, unknown>;
      if (msg.t === 'challenge') {
        const ch = msg as unknown as ChallengeFrame;
        const nodeId = node.identity.nodeId;
        const sig = node.signer.sign(authSigningBytes(ch.serverId, ch.nonce, ch.ts, nodeId));
        answer = { t: 'auth', v: 1, nodeId, serverId: ch.serverId, nonce: ch.nonce, ts: ch.ts };
        answer.sig = bytesToHex(sig);
        ws.send(JSON.stringify(answer));
      } else if (msg.t === 'ready' && answer) {
        clearTimeout(timer);
        ws.close();
        resolve(answer);
      }
    });
    ws.on('error', reject);
  });
}

describe('WsRelayServer + WsRelayClient', () => {
  it('routes direct and broadcast envelopes between authenticated nodes', async () => {
    const s = await server();
    const [ca, cb, cc] = [client(s.url, a), client(s.url, b), client(s.url, c)];
    const [ga, gb, gc] = [receive(ca, a), receive(cb, b), receive(cc, c)];
    await Promise.all([ca.ready(), cb.ready(), cc.ready()]);
    expect(s.connectedNodes()).toEqual(['node-a', 'node-b', 'node-c']);
    const out = new Outbox(a, dir);
    await ca.publish(out.direct(SESSION, 'node-b', utf8ToBytes('to b only')).bytes, 'node-b');
    await ca.publish(out.broadcast(SESSION, utf8ToBytes('to all')).bytes, '*');
    await waitFor(() => gb.length === 2 && gc.length === 1, 3_000, 'deliveries');
    expect(new TextDecoder().decode(gb[0]!.payload)).toBe('to b only');
    expect(new TextDecoder().decode(gc[0]!.payload)).toBe('to all');
    expect(ga).toEqual([]);
  });

  it('never hands the relay the plaintext of a direct message', async () => {
    const secret = 'share 0x5ecre7 of vault 42';
    const backend = new AdversarialRelay(new MemoryRelay(), (p) => [p]);
    cleanup.push(() => backend.close());
    const s = await server({ backend });
    const [ca, cb] = [client(s.url, a), client(s.url, b)];
    const gb = receive(cb, b);
    await Promise.all([ca.ready(), cb.ready()]);
    await ca.publish(
      new Outbox(a, dir).direct(SESSION, 'node-b', utf8ToBytes(secret)).bytes,
      'node-b',
    );
    await waitFor(() => gb.length === 1, 3_000, 'delivery');
    expect(new TextDecoder().decode(gb[0]!.payload)).toBe(secret);
    expect(backend.seen).toHaveLength(1);
    const relayed = Buffer.from(backend.seen[0]!.bytes);
    expect(relayed.includes(Buffer.from(secret))).toBe(false);
    expect(relayed.toString().includes(Buffer.from(secret).toString('base64').slice(0, 12))).toBe(
      false,
    );
  });

  it('drops an envelope whose sender is not the authenticated node', async () => {
    const s = await server();
    const [cb, cc] = [client(s.url, b), client(s.url, c)];
    const gc: Uint8Array[] = [];
    cc.subscribe('node-c', (bytes) => gc.push(bytes));
    await Promise.all([cb.ready(), cc.ready()]);
    // node-b forwards an envelope signed by node-a: the server binds `from` to the socket.
    await cb.publish(
      new Outbox(a, dir).direct(SESSION, 'node-c', Uint8Array.of(1)).bytes,
      'node-c',
    );
    await cb.publish(
      new Outbox(b, dir).direct(SESSION, 'node-c', Uint8Array.of(2)).bytes,
      'node-c',
    );
    await waitFor(() => gc.length === 1, 3_000, 'the honest envelope');
    await new Promise((r) => setTimeout(r, 50));
    expect(gc).toHaveLength(1);
  });

  it('refuses a node that signs the challenge with the wrong key', async () => {
    const s = await server();
    const impostor = makeLocalNode('node-a');
    const cl = client(s.url, impostor);
    const codes: number[] = [];
    cl.onStatus((st, code) => st === 'disconnected' && code !== undefined && codes.push(code));
    await waitFor(() => codes.length > 0, 3_000, 'rejection');
    expect(codes[0]).toBe(CLOSE_AUTH_FAILED);
    expect(s.connectedNodes()).toEqual([]);
  });

  it('refuses an unenrolled node', async () => {
    const s = await server();
    const cl = client(s.url, makeLocalNode('node-z'));
    const codes: number[] = [];
    cl.onStatus((st, code) => st === 'disconnected' && code !== undefined && codes.push(code));
    await waitFor(() => codes.length > 0, 3_000, 'rejection');
    expect(codes[0]).toBe(CLOSE_NOT_ENROLLED);
  });

  it('refuses a replayed challenge answer', async () => {
    const s = await server();
    const recorded = await recordAuth(s.url, a);
    expect(recorded.t).toBe('auth');
    // Replayed verbatim on a new connection (whose challenge has a fresh nonce):
    expect(await rawAuth(s.url, () => recorded)).toBe(CLOSE_AUTH_FAILED);
    // Replayed with the new nonce and ts pasted in: the signature no longer matches.
    expect(await rawAuth(s.url, (ch) => ({ ...recorded, nonce: ch.nonce, ts: ch.ts }))).toBe(
      CLOSE_AUTH_FAILED,
    );
    expect(s.connectedNodes()).toEqual([]);
  });

  it('lets a client refuse a relay with an unexpected server id', async () => {
    const s = await server({ serverId: 'rogue-relay' });
    const cl = client(s.url, a, 'relay-1');
    await expect(cl.ready(300)).rejects.toMatchObject({ code: 'RELAY_UNAVAILABLE' });
    expect(s.connectedNodes()).toEqual([]);
  });

  it('closes a connection that does not answer the challenge in time', async () => {
    const s = await server({ authTimeoutMs: 100 });
    const code = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(s.url);
      const timer = setTimeout(() => reject(new Error('no close within 3 s')), 3_000);
      ws.on('error', () => undefined);
      ws.on('close', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(CLOSE_AUTH_TIMEOUT);
  });

  it('bounds the number of connections still authenticating', async () => {
    const s = await server({ maxUnauthenticated: 1 });
    const idle = new WebSocket(s.url);
    cleanup.push(async () => {
      idle.terminate();
      await Promise.resolve();
    });
    idle.on('error', () => undefined);
    await new Promise<void>((resolve) => idle.once('message', () => resolve()));
    expect(await rawAuth(s.url, () => ({}))).toBe(1013);
  });

  it('queues an envelope for a node that is offline and delivers it after it connects', async () => {
    const s = await server();
    const ca = client(s.url, a);
    await ca.ready();
    await ca.publish(
      new Outbox(a, dir).direct(SESSION, 'node-b', Uint8Array.of(7)).bytes,
      'node-b',
    );
    await new Promise((r) => setTimeout(r, 20));
    const cb = client(s.url, b);
    const gb = receive(cb, b);
    await cb.ready();
    await waitFor(() => gb.length === 1, 3_000, 'queued delivery');
    expect(gb[0]!.payload[0]).toBe(7);
    expect(cb.status).toBe('ready');
  });

  it('enrols and removes nodes at run time and reports their connection status', async () => {
    const events: string[] = [];
    const s = await server({
      enrolled: [a.identity],
      onNodeStatus: (nodeId, status) => events.push(`${nodeId}:${status}`),
    });
    const z = makeLocalNode('node-z');
    const cz = client(s.url, z);
    const codes: number[] = [];
    cz.onStatus((st, code) => st === 'disconnected' && code !== undefined && codes.push(code));
    await waitFor(() => codes.length > 0, 3_000, 'refusal before enrolment');
    expect(codes[0]).toBe(CLOSE_NOT_ENROLLED);
    s.enrol(z.identity);
    expect(s.isEnrolled('node-z')).toBe(true);
    await cz.ready(5_000);
    expect(s.connectedNodes()).toEqual(['node-z']);
    await waitFor(() => events.includes('node-z:connected'), 3_000, 'connected event');
    s.remove('node-z');
    expect(s.isEnrolled('node-z')).toBe(false);
    await waitFor(() => events.includes('node-z:disconnected'), 3_000, 'disconnected event');
    expect(s.connectedNodes()).toEqual([]);
    // Its reconnection attempts are refused from now on.
    const before = codes.length;
    await waitFor(() => codes.length > before, 3_000, 'refusal after removal');
    expect(codes.at(-1)).toBe(CLOSE_NOT_ENROLLED);
    expect(cz.status).not.toBe('ready');
  });

  it('closes the connection made with old keys when a node id is re-enrolled with new ones', async () => {
    const s = await server({ enrolled: [a.identity] });
    const ca = client(s.url, a);
    await ca.ready();
    const other = makeLocalNode('node-a2');
    s.enrol({ ...other.identity, nodeId: 'node-a' });
    await waitFor(() => ca.status !== 'ready', 3_000, 'disconnect');
    expect(s.connectedNodes()).toEqual([]);
  });

  it('reconnects and re-authenticates after the server restarts', async () => {
    const first = await WsRelayServer.start({ serverId: 'relay-1', enrolled, logger: silent });
    cleanup.push(() => first.close());
    const port = first.port;
    const [ca, cb] = [client(first.url, a), client(first.url, b)];
    const gb = receive(cb, b);
    await Promise.all([ca.ready(), cb.ready()]);
    const out = new Outbox(a, dir);
    await ca.publish(out.direct(SESSION, 'node-b', Uint8Array.of(0)).bytes, 'node-b');
    await waitFor(() => gb.length === 1, 3_000, 'first delivery');
    await first.close();
    await waitFor(() => ca.status !== 'ready' && cb.status !== 'ready', 3_000, 'disconnect');
    // Published while the relay is down: queued by the client, flushed after reconnect.
    const pending = ca.publish(out.direct(SESSION, 'node-b', Uint8Array.of(1)).bytes, 'node-b');
    const second = await server({ port });
    await Promise.all([ca.ready(5_000), cb.ready(5_000)]);
    await pending;
    await waitFor(() => gb.length === 2, 3_000, 'delivery after restart');
    expect(gb.map((m) => m.payload[0])).toEqual([0, 1]);
    expect(second.connectedNodes()).toEqual(['node-a', 'node-b']);
  });
});
