/**
 * The relay server (issue 4, "Transport"/"Relay"): a `ws` WebSocketServer to which signing
 * nodes connect outbound, so a node needs no open port. Each connection must answer a
 * signed challenge (relay-auth.ts) with the Ed25519 key enrolled for its node id; only
 * enrolled ids are accepted. Then envelopes are routed through a backend `Relay` — a
 * MemoryRelay for one server, a NatsRelay to bridge replicas. The server checks that an
 * envelope's `from` is the authenticated node and its `to` the declared route (defence
 * in depth: recipients verify signatures anyway) and never decrypts: direct bodies are
 * sealed to the recipient (sealed-box.ts). Offline nodes: see memory-relay.ts (queued
 * briefly, bounded, then dropped) — over NATS, messages for nodes connected nowhere drop.
 * The allow-list can change at run time (`enrol`, `remove`: a removed node's connection is
 * closed at once), and `onNodeStatus` reports nodes connecting and disconnecting.
 */
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import pino from 'pino';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { MAX_ENVELOPE_BYTES, decodeEnvelope } from './envelope.js';
import { NODE_ID_PATTERN, directoryOf } from './identity-types.js';
import type { PeerIdentity } from './identity-types.js';
import { MemoryRelay } from './memory-relay.js';
import type { Relay, Unsubscribe } from './relay.js';
import {
  AUTH_PROTOCOL_VERSION,
  CLOSE_AUTH_FAILED,
  CLOSE_AUTH_TIMEOUT,
  CLOSE_NOT_ENROLLED,
  CLOSE_PROTOCOL,
  CLOSE_REPLACED,
  authSigningBytes,
  decodeRoutedFrame,
  parseControl,
  rawToBytes,
} from './relay-auth.js';
import type { AuthFrame, ChallengeFrame } from './relay-auth.js';

export interface WsRelayServerOptions {
  /** Defaults to 127.0.0.1. */
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Bound into every challenge; clients may pin it. */
  readonly serverId: string;
  /** The allow-list: only these public identities may connect. */
  readonly enrolled: Iterable<PeerIdentity>;
  /** Routing backend; defaults to a MemoryRelay owned (and closed) by the server. */
  readonly backend?: Relay;
  readonly authTimeoutMs?: number;
  /** Connections still authenticating beyond this are refused with 1013 (default 256). */
  readonly maxUnauthenticated?: number;
  /** A connection whose unsent bytes exceed this is closed (slow consumer). */
  readonly maxBufferedBytes?: number;
  readonly logger?: Logger;
  /** Called when an enrolled node's connection becomes ready, and when it goes away. */
  readonly onNodeStatus?: (nodeId: string, status: NodeConnectionStatus) => void;
}

export type NodeConnectionStatus = 'connected' | 'disconnected';

interface Connection {
  readonly ws: WebSocket;
  nodeId?: string;
  unsubscribe?: Unsubscribe;
  /** Envelopes delivered (e.g. from the offline queue) before "ready" went out. */
  early?: Uint8Array[];
}

/** RFC 6455 §7.4.1 "Try Again Later". */
const CLOSE_TRY_AGAIN_LATER = 1013;

export class WsRelayServer {
  readonly #byNode = new Map<string, Connection>();
  readonly #conns = new Set<Connection>();
  readonly #log: Logger;
  #closed = false;

  private constructor(
    private readonly wss: WebSocketServer,
    private readonly opts: WsRelayServerOptions,
    private readonly directory: Map<string, PeerIdentity>,
    private readonly backend: Relay,
    private readonly ownsBackend: boolean,
  ) {
    this.#log = (opts.logger ?? pino({ level: 'info' })).child({ relay: opts.serverId });
    wss.on('connection', (ws) => this.#onConnection(ws));
  }

  static async start(opts: WsRelayServerOptions): Promise<WsRelayServer> {
    const enrolled = [...opts.enrolled];
    directoryOf(enrolled); // validates ids, refuses duplicates
    const directory = new Map(enrolled.map((e) => [e.nodeId, e]));
    const backend =
      opts.backend ??
      new MemoryRelay({
        nodes: enrolled.map((e) => e.nodeId),
        ...(opts.logger ? { logger: opts.logger } : {}),
      });
    const wss = new WebSocketServer({
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 0,
      maxPayload: MAX_ENVELOPE_BYTES + 256,
    });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    return new WsRelayServer(wss, opts, directory, backend, opts.backend === undefined);
  }

  get port(): number {
    const addr = this.wss.address();
    if (addr === null || typeof addr === 'string') throw new Error('server not listening');
    return addr.port;
  }

  get url(): string {
    return `ws://${this.opts.host ?? '127.0.0.1'}:${this.port}`;
  }

  /**
   * Adds (or re-keys) an identity to the allow-list at run time. Re-enrolling an id with
   * other keys closes the connection made with the old ones.
   */
  enrol(identity: PeerIdentity): void {
    if (!NODE_ID_PATTERN.test(identity.nodeId)) {
      throw new Error(`invalid node id: ${identity.nodeId}`);
    }
    const previous = this.directory.get(identity.nodeId);
    this.directory.set(identity.nodeId, identity);
    if (this.backend instanceof MemoryRelay) this.backend.addNode(identity.nodeId);
    const sameKeys =
      previous !== undefined &&
      equalBytes(previous.signingPublicKey, identity.signingPublicKey) &&
      equalBytes(previous.encryptionPublicKey, identity.encryptionPublicKey);
    if (previous !== undefined && !sameKeys) this.#disconnect(identity.nodeId, 'identity changed');
  }

  /** Takes a node off the allow-list and closes its connection, if any. */
  remove(nodeId: string): void {
    this.directory.delete(nodeId);
    if (this.backend instanceof MemoryRelay) this.backend.removeNode(nodeId);
    this.#disconnect(nodeId, 'not enrolled');
  }

  /** True when `nodeId` is on the allow-list. */
  isEnrolled(nodeId: string): boolean {
    return this.directory.has(nodeId);
  }

  /** Node ids with an authenticated connection. */
  connectedNodes(): string[] {
    return [...this.#byNode.keys()].sort();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#conns) {
      c.unsubscribe?.();
      c.ws.terminate();
    }
    this.#conns.clear();
    this.#byNode.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    if (this.ownsBackend) await this.backend.close();
  }

  #onConnection(ws: WebSocket): void {
    const conn: Connection = { ws };
    let unauthenticated = 0;
    for (const c of this.#conns) if (!c.nodeId) unauthenticated++;
    if (unauthenticated >= (this.opts.maxUnauthenticated ?? 256)) {
      ws.close(CLOSE_TRY_AGAIN_LATER, 'too many unauthenticated connections');
      return;
    }
    this.#conns.add(conn);
    const challenge: ChallengeFrame = {
      t: 'challenge',
      v: AUTH_PROTOCOL_VERSION,
      serverId: this.opts.serverId,
      nonce: bytesToHex(randomBytes(32)),
      ts: Date.now(),
    };
    let challengeOpen = true;
    const timer = setTimeout(() => {
      if (!conn.nodeId) ws.close(CLOSE_AUTH_TIMEOUT, 'auth timeout');
    }, this.opts.authTimeoutMs ?? 5_000);
    ws.on('error', (err) => this.#log.warn({ err: err.message }, 'connection error'));
    ws.on('close', () => {
      clearTimeout(timer);
      this.#conns.delete(conn);
      conn.unsubscribe?.();
      if (conn.nodeId && this.#byNode.get(conn.nodeId) === conn) {
        this.#byNode.delete(conn.nodeId);
        if (!this.#closed) this.#status(conn.nodeId, 'disconnected');
      }
    });
    ws.on('message', (data, isBinary) => {
      if (!conn.nodeId) {
        // One answer per challenge: the nonce is consumed whatever the outcome.
        if (!challengeOpen || isBinary) return ws.close(CLOSE_PROTOCOL, 'expected auth');
        challengeOpen = false;
        void this.#authenticate(conn, challenge, rawToBytes(data)).finally(() =>
          clearTimeout(timer),
        );
        return;
      }
      if (!isBinary) return ws.close(CLOSE_PROTOCOL, 'expected binary envelope');
      this.#route(conn, rawToBytes(data));
    });
    ws.send(JSON.stringify(challenge));
  }

  async #authenticate(conn: Connection, ch: ChallengeFrame, data: Uint8Array): Promise<void> {
    const { ws } = conn;
    const auth = parseControl<AuthFrame>(new TextDecoder().decode(data), 'auth', [
      't',
      'v',
      'nodeId',
      'serverId',
      'nonce',
      'ts',
      'sig',
    ]);
    if (!auth || auth.v !== AUTH_PROTOCOL_VERSION) return ws.close(CLOSE_PROTOCOL, 'bad auth');
    const identity = typeof auth.nodeId === 'string' ? this.directory.get(auth.nodeId) : undefined;
    if (!identity) {
      this.#log.warn({ nodeId: String(auth.nodeId) }, 'unenrolled node refused');
      return ws.close(CLOSE_NOT_ENROLLED, 'not enrolled');
    }
    const fresh = Date.now() - ch.ts <= (this.opts.authTimeoutMs ?? 5_000);
    const sameChallenge =
      auth.serverId === ch.serverId && auth.nonce === ch.nonce && auth.ts === ch.ts;
    let valid = false;
    if (
      fresh &&
      sameChallenge &&
      typeof auth.sig === 'string' &&
      /^[0-9a-f]{128}$/.test(auth.sig)
    ) {
      valid = ed25519.verify(
        hexToBytes(auth.sig),
        authSigningBytes(ch.serverId, ch.nonce, ch.ts, identity.nodeId),
        identity.signingPublicKey,
        { zip215: false },
      );
    }
    if (!valid) {
      this.#log.warn({ nodeId: identity.nodeId, fresh, sameChallenge }, 'relay auth failed');
      return ws.close(CLOSE_AUTH_FAILED, 'auth failed');
    }
    const previous = this.#byNode.get(identity.nodeId);
    if (previous) {
      previous.unsubscribe?.();
      previous.ws.close(CLOSE_REPLACED, 'replaced by a newer connection');
    }
    conn.nodeId = identity.nodeId;
    this.#byNode.set(identity.nodeId, conn);
    // The protocol sends "ready" before any envelope: hold early deliveries until then.
    conn.early = [];
    conn.unsubscribe = this.backend.subscribe(identity.nodeId, (bytes) =>
      conn.early ? conn.early.push(bytes) : this.#send(conn, bytes),
    );
    await this.backend.flush?.();
    if (ws.readyState !== ws.OPEN) return;
    ws.send(JSON.stringify({ t: 'ready' }));
    const early = conn.early;
    delete conn.early;
    for (const bytes of early) this.#send(conn, bytes);
    this.#log.info({ nodeId: identity.nodeId }, 'node connected');
    this.#status(identity.nodeId, 'connected');
  }

  #status(nodeId: string, status: NodeConnectionStatus): void {
    try {
      this.opts.onNodeStatus?.(nodeId, status);
    } catch (err) {
      this.#log.warn({ err: String(err), nodeId }, 'node status callback threw');
    }
  }

  #disconnect(nodeId: string, reason: string): void {
    const conn = this.#byNode.get(nodeId);
    if (!conn) return;
    conn.unsubscribe?.();
    conn.ws.close(CLOSE_NOT_ENROLLED, reason);
    this.#log.info({ nodeId, reason }, 'node disconnected by the server');
  }

  #send(conn: Connection, bytes: Uint8Array): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    if (conn.ws.bufferedAmount > (this.opts.maxBufferedBytes ?? 64 * 1024 * 1024)) {
      this.#log.warn({ nodeId: conn.nodeId }, 'slow consumer closed');
      conn.ws.close(CLOSE_PROTOCOL, 'slow consumer');
      return;
    }
    conn.ws.send(bytes, { binary: true });
  }

  #route(conn: Connection, frame: Uint8Array): void {
    const routed = decodeRoutedFrame(frame);
    let ok = false;
    if (routed) {
      try {
        const env = decodeEnvelope(routed.envelopeBytes);
        ok = env.from === conn.nodeId && env.to === routed.to;
      } catch {
        ok = false;
      }
    }
    if (!routed || !ok) {
      // Logged without contents: a malformed or spoofed frame is dropped, not forwarded.
      this.#log.warn({ nodeId: conn.nodeId }, 'dropped envelope: malformed or spoofed sender');
      return;
    }
    this.backend.publish(routed.envelopeBytes, routed.to).catch((err: unknown) => {
      this.#log.warn({ err: String(err), to: routed.to }, 'backend publish failed');
    });
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
