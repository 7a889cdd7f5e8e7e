/**
 * The coordinator (ARCHITECTURE.md "Components": the server coordinates, never holds a
 * share). It runs the relay nodes connect to OUTBOUND (WsRelayServer from @coffer/node on
 * its own port), keeps the relay's allow-list equal to the nodes enrolled in any
 * organisation, records when nodes connect and disconnect, and runs protocol sessions: one
 * signed, sealed `session-command` per participant on a fresh control session
 * (packages/node coordinator-protocol.ts), then each node's `session-report`. The coordinator
 * is not a WebSocket client: its transport sits directly on the relay's routing backend, and
 * its identity is never on the allow-list, so nobody can connect as it.
 *
 * Waits are bounded: a participant that is not connected fails the session before anything
 * is sent; one that disconnects mid-session, or does not report within the deadline, is
 * reported as lost.
 */
import {
  MemoryRelay,
  NodeTransport,
  WsRelayServer,
  decodeSessionReport,
  encodeMessage,
  newControlSessionId,
  type NodeConnectionStatus,
  type OpenedMessage,
  type PeerIdentity,
  type SessionReport,
  type SessionRequest,
  type Unsubscribe,
} from '@coffer/node';
import type { Logger } from 'pino';
import type { Database } from '../../store/database.js';
import {
  loadOrCreateCoordinatorIdentity,
  type CoordinatorIdentity,
} from './coordinator-identity.js';
import { enrolledIdentities, recordNodeContact } from './node-directory.js';

export interface CoordinatorOptions {
  readonly db: Database;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** What nodes are told to connect to; default `ws://<host>:<port>`. */
  readonly publicUrl?: string | undefined;
  readonly logger: Logger;
  /** How often the allow-list is re-read from the database (other replicas' changes). */
  readonly syncIntervalMs?: number;
}

/** One participant's end of a session: its report, or why none came. */
export type ParticipantOutcome =
  SessionReport | { readonly status: 'lost'; readonly sessionId: string; readonly message: string };

interface Waiter {
  readonly nodeId: string;
  readonly settle: (outcome: ParticipantOutcome) => void;
}

/**
 * After one participant of a session failed, how long the others have to report before they
 * count as lost. Honest participants waiting on the same culprit started that round together
 * and reach their round timeout within moments of each other, so a few seconds suffice; a node
 * that stays silent past them is the one that stalled.
 */
export const SESSION_FAILURE_GRACE_MS = 5_000;

/** Thrown by `runSession` before anything is sent when participants are not connected. */
export class NodesUnavailableError extends Error {
  override readonly name = 'NodesUnavailableError';
  constructor(readonly nodeIds: readonly string[]) {
    super(`node(s) not connected to the relay: ${nodeIds.join(', ')}`);
  }
}

export class Coordinator {
  readonly #waiters = new Map<string, Waiter>();
  #unsubscribe: Unsubscribe | undefined;
  #syncTimer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(
    readonly identity: CoordinatorIdentity,
    readonly relay: WsRelayServer,
    private readonly backend: MemoryRelay,
    private readonly directory: Map<string, PeerIdentity>,
    private readonly transport: NodeTransport,
    private readonly opts: CoordinatorOptions,
  ) {}

  static async start(opts: CoordinatorOptions): Promise<Coordinator> {
    const identity = await loadOrCreateCoordinatorIdentity(opts.db);
    const enrolled = await enrolledIdentities(opts.db);
    const directory = new Map(enrolled.map((e) => [e.nodeId, e]));
    const backend = new MemoryRelay({ nodes: directory.keys(), logger: opts.logger });
    // Status events may come before the coordinator exists: buffered, then replayed.
    const early: [string, NodeConnectionStatus][] = [];
    let onStatus = (nodeId: string, status: NodeConnectionStatus) => {
      early.push([nodeId, status]);
    };
    const relay = await WsRelayServer.start({
      host: opts.host,
      port: opts.port,
      serverId: `coffer-${identity.publicIdentity.nodeId}`,
      enrolled,
      backend,
      logger: opts.logger,
      onNodeStatus: (nodeId, status) => onStatus(nodeId, status),
    });
    const self = identity.local.identity;
    const transport = new NodeTransport({
      self: identity.local,
      directory: { get: (id) => (id === self.nodeId ? self : directory.get(id)) },
      relay: backend,
    });
    const coordinator = new Coordinator(identity, relay, backend, directory, transport, opts);
    onStatus = (nodeId, status) => coordinator.#onNodeStatus(nodeId, status);
    for (const [nodeId, status] of early) coordinator.#onNodeStatus(nodeId, status);
    coordinator.#listen();
    coordinator.#syncTimer = setInterval(
      () => void coordinator.sync(),
      opts.syncIntervalMs ?? 5_000,
    );
    coordinator.#syncTimer.unref();
    return coordinator;
  }

  get nodeId(): string {
    return this.identity.publicIdentity.nodeId;
  }

  get serverId(): string {
    return `coffer-${this.nodeId}`;
  }

  get relayUrl(): string {
    return this.opts.publicUrl ?? this.relay.url;
  }

  isConnected(nodeId: string): boolean {
    return this.relay.connectedNodes().includes(nodeId);
  }

  /** Allows `identity` on the relay (idempotent). */
  enrol(identity: PeerIdentity): void {
    this.directory.set(identity.nodeId, identity);
    this.relay.enrol(identity);
  }

  /** Takes `nodeId` off the relay and closes its connection. */
  remove(nodeId: string): void {
    this.directory.delete(nodeId);
    this.relay.remove(nodeId);
  }

  /** Re-reads the allow-list from the database (enrolments made by other replicas). */
  async sync(): Promise<void> {
    if (this.#closed) return;
    try {
      const enrolled = await enrolledIdentities(this.opts.db);
      const ids = new Set(enrolled.map((e) => e.nodeId));
      for (const e of enrolled) if (!this.directory.has(e.nodeId)) this.enrol(e);
      for (const id of [...this.directory.keys()]) if (!ids.has(id)) this.remove(id);
    } catch (error) {
      if (!this.#closed) this.opts.logger.warn({ err: error }, 'node allow-list sync failed');
    }
  }

  /**
   * Runs `request` on every participant and returns each one's outcome by node id. Throws
   * NodesUnavailableError, sending nothing, when a participant is not connected.
   */
  async runSession(
    request: SessionRequest,
    timeoutMs: number,
    graceMs = SESSION_FAILURE_GRACE_MS,
  ): Promise<Map<string, ParticipantOutcome>> {
    const nodeIds = Object.values(request.participants);
    const missing = nodeIds.filter((id) => !this.isConnected(id));
    if (missing.length > 0) throw new NodesUnavailableError(missing);
    const controls: string[] = [];
    let grace: NodeJS.Timeout | undefined;
    const outcomes = await Promise.all(
      nodeIds.map(async (id) => {
        const outcome = await this.#command(id, request, timeoutMs, controls);
        // Once one participant failed the session cannot complete: the others get `graceMs`
        // to report (their abort names the culprit), then count as lost.
        if (outcome.status !== 'completed' && grace === undefined) {
          grace = setTimeout(() => {
            for (const control of controls) {
              this.#waiters.get(control)?.settle({
                status: 'lost',
                sessionId: request.sessionId,
                message: `no report within ${graceMs} ms after the session failed elsewhere`,
              });
            }
          }, graceMs);
        }
        return outcome;
      }),
    );
    clearTimeout(grace);
    return new Map(nodeIds.map((id, i) => [id, outcomes[i]!]));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#syncTimer);
    for (const [control, waiter] of this.#waiters) {
      waiter.settle({ status: 'lost', sessionId: control, message: 'the coordinator stopped' });
    }
    this.#unsubscribe?.();
    await this.relay.close();
    await this.backend.close();
  }

  async #command(
    nodeId: string,
    request: SessionRequest,
    timeoutMs: number,
    controls: string[],
  ): Promise<ParticipantOutcome> {
    const control = newControlSessionId();
    controls.push(control);
    const lost = (message: string): ParticipantOutcome => ({
      status: 'lost',
      sessionId: request.sessionId,
      message,
    });
    const outcome = new Promise<ParticipantOutcome>((resolve) => {
      const timer = setTimeout(
        () => settle(lost(`no report from node ${nodeId} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const settle = (value: ParticipantOutcome) => {
        clearTimeout(timer);
        this.#waiters.delete(control);
        this.transport.forgetSession(control);
        resolve(value);
      };
      this.#waiters.set(control, { nodeId, settle });
    });
    const command = { v: 1, type: 'session-command', action: 'run', request } as const;
    try {
      await this.transport.send(control, nodeId, encodeMessage(command));
    } catch (error) {
      this.#waiters.get(control)?.settle(lost(`command not sent: ${String(error)}`));
    }
    return outcome;
  }

  #listen(): void {
    this.#unsubscribe = this.transport.listen({
      onMessage: (message) => this.#onMessage(message),
      onReject: (error) =>
        this.opts.logger.debug({ code: error.code, sender: error.sender }, 'relay message refused'),
    });
  }

  #onMessage(message: OpenedMessage): void {
    const waiter = this.#waiters.get(message.session);
    if (!waiter || waiter.nodeId !== message.from || message.kind !== 'direct') {
      // Nodes' protocol broadcasts reach every subscriber; they are not for the coordinator.
      if (!waiter) this.transport.forgetSession(message.session);
      return;
    }
    let report: SessionReport;
    try {
      report = decodeSessionReport(message.payload);
    } catch (error) {
      waiter.settle({
        status: 'lost',
        sessionId: '',
        message: `malformed report from node ${waiter.nodeId}: ${String(error)}`,
      });
      return;
    }
    waiter.settle(report);
  }

  #onNodeStatus(nodeId: string, status: NodeConnectionStatus): void {
    if (status === 'disconnected') {
      for (const waiter of [...this.#waiters.values()]) {
        if (waiter.nodeId === nodeId) {
          waiter.settle({
            status: 'lost',
            sessionId: '',
            message: `node ${nodeId} disconnected during the session`,
          });
        }
      }
    }
    recordNodeContact(this.opts.db, nodeId, status === 'connected').catch((error: unknown) => {
      if (!this.#closed) this.opts.logger.warn({ err: error, nodeId }, 'last contact not recorded');
    });
  }
}
