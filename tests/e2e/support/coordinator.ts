/**
 * The test coordinator: an identity of the same shape as a node's (Ed25519 signing key,
 * X25519 encryption key, node id derived from both), enrolled with every node as the one
 * whose signed session requests they accept. It connects to the relay like a node
 * (WsRelayClient, authenticated), sends each node a session command on a fresh control
 * session (coordinator-protocol.ts in @coffer/node) and awaits the node's report — public
 * outputs (public keys, signatures) or a typed abort.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import pino from 'pino';
import {
  NodeTransport,
  WsRelayClient,
  decodeSessionReport,
  directoryOf,
  encodeMessage,
  newControlSessionId,
  nodeIdOf,
} from '@coffer/node';
import type { LocalNode, SessionAction, SessionReport } from '@coffer/node';
import { peerIdentity } from './cluster.js';
import type { PublicIdentityJson } from './node-process.js';

export interface CoordinatorIdentity {
  readonly local: LocalNode;
  readonly publicIdentity: PublicIdentityJson;
}

/** A fresh coordinator identity with its keys in memory. */
export function coordinatorIdentity(): CoordinatorIdentity {
  const signing = ed25519.keygen();
  const encryption = x25519.keygen();
  const nodeId = nodeIdOf(signing.publicKey, encryption.publicKey);
  return {
    local: {
      identity: {
        nodeId,
        signingPublicKey: signing.publicKey,
        encryptionPublicKey: encryption.publicKey,
      },
      signer: {
        sign: (bytes) => ed25519.sign(bytes, signing.secretKey),
        x25519SharedSecret: (peer) => x25519.getSharedSecret(encryption.secretKey, peer),
      },
    },
    publicIdentity: {
      nodeId,
      signingKey: bytesToHex(signing.publicKey),
      encryptionKey: bytesToHex(encryption.publicKey),
    },
  };
}

/** A session request as the runner takes it (packages/node sessions/runner.ts). */
export interface E2eSessionRequest {
  readonly sessionId: string;
  readonly protocol: 'dkg' | 'frost-sign' | 'dkls23-keygen' | 'dkls23-sign';
  readonly params: unknown;
  readonly participants: Readonly<Record<string, string>>;
  readonly evidence?: unknown;
}

interface Waiter {
  readonly resolve: (report: SessionReport) => void;
  readonly reject: (error: Error) => void;
}

/** The coordinator's live connection: sends signed commands, collects the nodes' reports. */
export class TestCoordinator {
  readonly #waiters = new Map<string, Waiter>();
  readonly rejected: string[] = [];

  private constructor(
    private readonly relay: WsRelayClient,
    private readonly transport: NodeTransport,
  ) {
    transport.listen({
      onMessage: (message) => {
        const waiter = this.#waiters.get(message.session);
        if (waiter === undefined) return;
        this.#waiters.delete(message.session);
        transport.forgetSession(message.session);
        try {
          waiter.resolve(decodeSessionReport(message.payload));
        } catch (error) {
          waiter.reject(error as Error);
        }
      },
      onReject: (error) => this.rejected.push(error.code),
    });
  }

  /** Connects to the relay as `identity` and enrols `nodes` as the peers it talks to. */
  static async connect(
    identity: CoordinatorIdentity,
    url: string,
    serverId: string,
    nodes: readonly PublicIdentityJson[],
  ): Promise<TestCoordinator> {
    const relay = new WsRelayClient({
      url,
      serverId,
      node: identity.local,
      logger: pino({ level: 'warn' }),
    });
    await relay.ready(20_000);
    const transport = new NodeTransport({
      self: identity.local,
      directory: directoryOf([identity.local.identity, ...nodes.map(peerIdentity)]),
      relay,
    });
    return new TestCoordinator(relay, transport);
  }

  /** Sends one command to one node and awaits its report (bounded). */
  async command(
    nodeId: string,
    action: SessionAction,
    request: E2eSessionRequest,
    timeoutMs = 60_000,
  ): Promise<SessionReport> {
    const control = newControlSessionId();
    const report = new Promise<SessionReport>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(control);
        reject(new Error(`no report from ${nodeId} for ${request.sessionId} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.set(control, {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
    const command = { v: 1, type: 'session-command', action, request } as const;
    await this.transport.send(control, nodeId, encodeMessage(command));
    return report;
  }

  /** Runs `request` on every participant; reports by node id. */
  async run(request: E2eSessionRequest, timeoutMs = 60_000) {
    const nodeIds = Object.values(request.participants);
    const reports = await Promise.all(
      nodeIds.map((id) => this.command(id, 'run', request, timeoutMs)),
    );
    return new Map(nodeIds.map((id, i) => [id, reports[i]!]));
  }

  async close(): Promise<void> {
    for (const waiter of this.#waiters.values()) waiter.reject(new Error('coordinator closed'));
    this.#waiters.clear();
    await this.relay.close();
  }
}

/** The single output all completed reports agree on (throws on any abort or mismatch). */
export function agreedOutput<T>(reports: ReadonlyMap<string, SessionReport>): T {
  const outputs = [...reports.values()].map((r) => {
    if (r.status !== 'completed') throw new Error(`session aborted: ${r.code}: ${r.message}`);
    return JSON.stringify(r.output);
  });
  if (new Set(outputs).size !== 1) throw new Error('nodes disagree on the session output');
  return JSON.parse(outputs[0]!) as T;
}
