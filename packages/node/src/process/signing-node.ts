/**
 * The `coffer node` process core (issue 4, "The node"): opens the keystore with the
 * configured provider, loads or creates the node identity, connects OUTBOUND to the relay
 * (WsRelayClient, authenticated with the identity key), joins the transport with the
 * enrolled peers and coordinator as its directory, hands every authenticated message to the
 * session service (session-service.ts: the coordinator's signed commands run there, peer
 * traffic goes to the session runner) and serves the loopback health endpoint. `stop()` is
 * the graceful shutdown: stop taking messages, let sessions settle, close the relay, the
 * health endpoint and the keystore, and wipe the identity keys from memory.
 */
import type { Logger } from 'pino';
import { NodeIdentity } from '../identity/node-identity.js';
import { DurableLedger } from '../sessions/durable-ledger.js';
import type { Keystore } from '../keystore/store.js';
import { directoryOf } from '../transport/identity-types.js';
import type { PeerIdentity } from '../transport/identity-types.js';
import { NodeTransport } from '../transport/node-transport.js';
import type { Unsubscribe } from '../transport/relay.js';
import { WsRelayClient } from '../transport/ws-relay-client.js';
import { HealthServer } from './health-server.js';
import type { RunnableNodeConfig } from './node-config.js';
import { openNodeKeystore } from './open-node-keystore.js';
import { SessionService } from './session-service.js';

export interface SigningNodeOptions {
  readonly config: RunnableNodeConfig;
  /** Usually `process.env`; secret variables are removed from it once read. */
  readonly env: Record<string, string | undefined>;
  readonly logger: Logger;
}

export class SigningNode {
  #stopped: Promise<void> | undefined;

  private constructor(
    readonly identity: NodeIdentity,
    private readonly keystore: Keystore,
    private readonly relay: WsRelayClient,
    private readonly health: HealthServer,
    private readonly service: SessionService,
    private readonly unsubscribe: Unsubscribe,
    private readonly log: Logger,
    private readonly lifecycle: { stopping: boolean },
  ) {}

  /** Starts the node; resolves once the health endpoint listens (the relay may lag). */
  static async start(options: SigningNodeOptions): Promise<SigningNode> {
    const { config, logger } = options;
    const keystore = await openNodeKeystore({ config, env: options.env });
    const cleanup: (() => Promise<void>)[] = [() => keystore.close()];
    try {
      const identity = await NodeIdentity.loadOrCreate(keystore);
      const log = logger.child({ nodeId: identity.nodeId });
      cleanup.unshift(() => Promise.resolve(identity.destroy()));
      const ledger = await DurableLedger.open({ directory: keystore.directory, keystore });
      cleanup.unshift(() => Promise.resolve(ledger.close()));
      const self = identity.toLocalNode();
      // From here to `listen` all is synchronous: nothing the relay delivers (e.g. its
      // offline queue, right after authentication) can arrive before the listener.
      const relay = new WsRelayClient({
        url: config.relay.url,
        node: self,
        logger: log,
        ...(config.relay.serverId === undefined ? {} : { serverId: config.relay.serverId }),
      });
      cleanup.unshift(() => relay.close());
      relay.onStatus((status, closeCode) => {
        if (status === 'ready') log.info({ relay: config.relay.url }, 'relay connected');
        else if (status === 'disconnected') log.warn({ closeCode }, 'relay disconnected');
      });
      const transport = new NodeTransport({
        self,
        directory: directoryOf(enrolledDirectory(self.identity, config)),
        relay,
      });
      const service = new SessionService({
        transport,
        keystore,
        ledger,
        coordinatorId: config.enrolment.coordinator.nodeId,
        approvalPolicy: config.enrolment.approvals,
        organisations: config.enrolment.organisations,
        roundTimeoutMs: config.sessions.roundTimeoutMs,
        logger: log,
      });
      cleanup.unshift(() => service.close());
      const unsubscribe = transport.listen({
        onMessage: (message) => service.onMessage(message),
        onReject: (error) => service.onReject(error),
      });
      cleanup.unshift(() => Promise.resolve(unsubscribe()));
      const lifecycle = { stopping: false };
      const health = await HealthServer.start(config.health.host, config.health.port, {
        nodeId: identity.nodeId,
        relayConnected: () => relay.status === 'ready',
        stopping: () => lifecycle.stopping,
      });
      const node = new SigningNode(
        identity,
        keystore,
        relay,
        health,
        service,
        unsubscribe,
        log,
        lifecycle,
      );
      log.info(
        {
          healthPort: health.port,
          healthHost: health.host,
          provider: config.keystore.provider,
          peers: config.enrolment.peers.length,
          approvalGate: config.enrolment.approvals === undefined ? 'no policy' : 'policy loaded',
          coordinator: config.enrolment.coordinator.nodeId,
        },
        'coffer node started',
      );
      return node;
    } catch (error) {
      for (const step of cleanup) await step().catch(() => undefined);
      throw error;
    }
  }

  /** True once `stop()` has been called. */
  get stopping(): boolean {
    return this.lifecycle.stopping;
  }

  get healthPort(): number {
    return this.health.port;
  }

  /** Graceful shutdown; idempotent (later calls return the same promise). */
  stop(reason: string): Promise<void> {
    this.#stopped ??= this.#shutdown(reason);
    return this.#stopped;
  }

  async #shutdown(reason: string): Promise<void> {
    this.lifecycle.stopping = true;
    this.log.info({ reason }, 'coffer node stopping');
    this.unsubscribe();
    await this.service.close();
    await this.relay.close();
    await this.health.close();
    this.identity.destroy();
    await this.keystore.close();
    this.log.info('coffer node stopped');
  }
}

/** Peers and coordinator, minus this node itself (one shared enrolment list is fine). */
function enrolledDirectory(self: PeerIdentity, config: RunnableNodeConfig): PeerIdentity[] {
  const others = [config.enrolment.coordinator, ...config.enrolment.peers];
  return [self, ...others.filter((p) => p.nodeId !== self.nodeId)];
}
