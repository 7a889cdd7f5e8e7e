/**
 * A signing node's connection to a relay server (issue 4, "Transport": the node connects
 * outbound over WebSocket and authenticates with its identity key). Implements `Relay`
 * for exactly one local node. On every (re)connection it answers the server's challenge
 * (relay-auth.ts), optionally pinning the expected server id; on loss it reconnects with
 * exponential backoff and jitter and re-authenticates. While disconnected, publishes are
 * queued locally (bounded: `maxQueued`, beyond that `publish` rejects RELAY_UNAVAILABLE)
 * and flushed in order once ready. Bytes written to a socket that then dies are lost — the
 * relay may drop, and the receiving inbox reports the gap.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import pino from 'pino';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import { MAX_ENVELOPE_BYTES } from './envelope.js';
import { TransportError } from './errors.js';
import type { LocalNode } from './identity-types.js';
import { deliver } from './relay.js';
import type { EnvelopeHandler, Relay, Unsubscribe } from './relay.js';
import {
  AUTH_PROTOCOL_VERSION,
  authSigningBytes,
  encodeRoutedFrame,
  parseControl,
  rawToBytes,
} from './relay-auth.js';
import type { AuthFrame, ChallengeFrame } from './relay-auth.js';

export type RelayClientStatus = 'connecting' | 'ready' | 'disconnected' | 'closed';

export interface WsRelayClientOptions {
  readonly url: string;
  readonly node: LocalNode;
  /** If set, challenges from any other server id are refused. */
  readonly serverId?: string;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Publishes kept while disconnected (default 256). */
  readonly maxQueued?: number;
  readonly logger?: Logger;
}

interface Pending {
  readonly frame: Uint8Array;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

export class WsRelayClient implements Relay {
  readonly #handlers = new Set<EnvelopeHandler>();
  readonly #statusListeners = new Set<(s: RelayClientStatus, closeCode?: number) => void>();
  readonly #queue: Pending[] = [];
  readonly #log: Logger;
  #ws: WebSocket | undefined;
  #status: RelayClientStatus = 'connecting';
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: WsRelayClientOptions) {
    this.#log = (opts.logger ?? pino({ level: 'info' })).child({
      node: opts.node.identity.nodeId,
    });
    this.#connect();
  }

  get status(): RelayClientStatus {
    return this.#status;
  }

  /** Observes status changes (closeCode is the server's close code on 'disconnected'). */
  onStatus(listener: (s: RelayClientStatus, closeCode?: number) => void): Unsubscribe {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  /** Resolves once authenticated; rejects after `timeoutMs`. */
  ready(timeoutMs = 10_000): Promise<void> {
    if (this.#status === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new TransportError('RELAY_UNAVAILABLE', `not ready after ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onStatus((s) => {
        if (s === 'ready' || s === 'closed') {
          clearTimeout(timer);
          off();
          if (s === 'ready') resolve();
          else reject(new TransportError('RELAY_UNAVAILABLE', 'client closed'));
        }
      });
    });
  }

  publish(envelopeBytes: Uint8Array, to: string): Promise<void> {
    if (this.#status === 'closed') {
      return Promise.reject(new TransportError('RELAY_UNAVAILABLE', 'client closed'));
    }
    if (envelopeBytes.length > MAX_ENVELOPE_BYTES) {
      return Promise.reject(new TransportError('INVALID_ARGUMENT', 'envelope too large'));
    }
    const frame = encodeRoutedFrame(to, envelopeBytes);
    if (this.#status === 'ready' && this.#ws) return this.#write(this.#ws, frame);
    if (this.#queue.length >= (this.opts.maxQueued ?? 256)) {
      return Promise.reject(new TransportError('RELAY_UNAVAILABLE', 'offline queue full'));
    }
    return new Promise((resolve, reject) => this.#queue.push({ frame, resolve, reject }));
  }

  subscribe(nodeId: string, handler: EnvelopeHandler): Unsubscribe {
    if (nodeId !== this.opts.node.identity.nodeId) {
      throw new TransportError('INVALID_ARGUMENT', 'a relay client serves only its own node');
    }
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  close(): Promise<void> {
    if (this.#status === 'closed') return Promise.resolve();
    this.#setStatus('closed');
    clearTimeout(this.#timer);
    for (const p of this.#queue.splice(0)) {
      p.reject(new TransportError('RELAY_UNAVAILABLE', 'client closed'));
    }
    const ws = this.#ws;
    this.#ws = undefined;
    if (!ws || ws.readyState === ws.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => resolve());
      ws.terminate();
    });
  }

  #setStatus(s: RelayClientStatus, closeCode?: number): void {
    if (this.#status === 'closed') return;
    this.#status = s;
    for (const l of [...this.#statusListeners]) l(s, closeCode);
  }

  #connect(): void {
    if (this.#status === 'closed') return;
    this.#setStatus('connecting');
    const ws = new WebSocket(this.opts.url, { maxPayload: MAX_ENVELOPE_BYTES + 256 });
    this.#ws = ws;
    let authenticated = false;
    ws.on('error', (err) => this.#log.debug({ err: err.message }, 'relay socket error'));
    ws.on('message', (data, isBinary) => {
      if (authenticated) {
        if (!isBinary) return;
        const bytes = rawToBytes(data);
        for (const h of this.#handlers) deliver(h, bytes, this.#log);
        return;
      }
      const text = rawToBytes(data);
      if (isBinary) return ws.close();
      const str = new TextDecoder().decode(text);
      if (parseControl<{ t: 'ready' }>(str, 'ready', ['t'])) {
        authenticated = true;
        this.#attempt = 0;
        // Flush the offline queue before announcing 'ready', so it keeps publish order.
        this.#flush(ws);
        this.#setStatus('ready');
        return;
      }
      const ch = parseControl<ChallengeFrame>(str, 'challenge', [
        't',
        'v',
        'serverId',
        'nonce',
        'ts',
      ]);
      if (!ch || !this.#acceptable(ch)) return ws.close();
      const nodeId = this.opts.node.identity.nodeId;
      const sig = this.opts.node.signer.sign(
        authSigningBytes(ch.serverId, ch.nonce, ch.ts, nodeId),
      );
      const auth: AuthFrame = {
        t: 'auth',
        v: AUTH_PROTOCOL_VERSION,
        nodeId,
        serverId: ch.serverId,
        nonce: ch.nonce,
        ts: ch.ts,
        sig: bytesToHex(sig),
      };
      ws.send(JSON.stringify(auth));
    });
    ws.on('close', (code) => {
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      if (this.#status === 'closed') return;
      this.#log.info({ code }, 'relay connection lost; reconnecting');
      this.#setStatus('disconnected', code);
      this.#scheduleReconnect();
    });
  }

  #acceptable(ch: ChallengeFrame): boolean {
    if (ch.v !== AUTH_PROTOCOL_VERSION || typeof ch.serverId !== 'string') return false;
    if (typeof ch.nonce !== 'string' || !/^[0-9a-f]{64}$/.test(ch.nonce)) return false;
    if (!Number.isSafeInteger(ch.ts) || ch.ts < 0) return false;
    if (this.opts.serverId !== undefined && ch.serverId !== this.opts.serverId) {
      this.#log.warn({ serverId: ch.serverId }, 'challenge from an unexpected relay refused');
      return false;
    }
    return true;
  }

  #scheduleReconnect(): void {
    const { initialMs, maxMs } = this.opts.backoff ?? { initialMs: 100, maxMs: 5_000 };
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(this.#attempt, 20));
    this.#attempt += 1;
    const delay = base / 2 + Math.random() * (base / 2);
    this.#timer = setTimeout(() => this.#connect(), delay);
  }

  #flush(ws: WebSocket): void {
    for (const p of this.#queue.splice(0)) this.#write(ws, p.frame).then(p.resolve, p.reject);
  }

  #write(ws: WebSocket, frame: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      ws.send(frame, { binary: true }, (err) => {
        if (err) reject(new TransportError('RELAY_UNAVAILABLE', 'send failed'));
        else resolve();
      });
    });
  }
}
