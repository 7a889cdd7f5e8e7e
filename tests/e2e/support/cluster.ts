/**
 * System-test support: a cluster of real `coffer node` processes on loopback. Each node gets
 * its own temp data dir and keystore provider (passphrase, pkcs11 on a softhsm2 token, or
 * kms); `coffer node identity` creates and prints each identity; the test process starts a
 * WsRelayServer enrolling the nodes and the test coordinator; every node's config is then
 * completed with the relay URL and the shared enrolment, and the nodes are started and
 * awaited until /healthz reports the relay connected. `close()` stops everything by PID.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexToBytes } from '@noble/hashes/utils.js';
import pino from 'pino';
import { WsRelayServer } from '@coffer/node';
import type { PeerIdentity, Relay } from '@coffer/node';
import { NodeProcess, nodeIdentity, writeJson } from './node-process.js';
import type { Env, PublicIdentityJson } from './node-process.js';

export type ProviderSetup =
  | { readonly provider: 'passphrase'; readonly passphrase: string }
  | {
      readonly provider: 'pkcs11';
      readonly modulePath: string;
      readonly tokenLabel: string;
      readonly pin: string;
    }
  | { readonly provider: 'kms'; readonly keyBase64: string; readonly keyId: string };

export interface NodeSpec {
  readonly name: string;
  readonly setup: ProviderSetup;
}

export interface ClusterNode {
  readonly name: string;
  readonly identity: PublicIdentityJson;
  readonly configFile: string;
  readonly env: Env;
  process: NodeProcess | undefined;
}

/** The keystore section and the secret environment of one provider setup. */
export function providerConfig(setup: ProviderSetup): { keystore: object; env: Env } {
  switch (setup.provider) {
    case 'passphrase':
      return {
        keystore: { provider: 'passphrase', scryptLogN: 14 },
        env: { COFFER_NODE_PASSPHRASE: setup.passphrase },
      };
    case 'pkcs11':
      return {
        keystore: {
          provider: 'pkcs11',
          modulePath: setup.modulePath,
          tokenLabel: setup.tokenLabel,
          keyLabel: 'coffer-node-e2e',
        },
        env: { COFFER_NODE_PKCS11_PIN: setup.pin },
      };
    case 'kms':
      return {
        keystore: { provider: 'kms', keyId: setup.keyId },
        env: { COFFER_KMS_KEY: setup.keyBase64 },
      };
  }
}

export function peerIdentity(json: PublicIdentityJson): PeerIdentity {
  return {
    nodeId: json.nodeId,
    signingPublicKey: hexToBytes(json.signingKey),
    encryptionPublicKey: hexToBytes(json.encryptionKey),
  };
}

export function newPassphrase(): string {
  return `e2e-${randomBytes(12).toString('hex')}`;
}

export interface ClusterOptions {
  /** The coordinator's public identity, enrolled with the relay and every node. */
  readonly coordinator: PublicIdentityJson;
  /** The `enrolment.approvals` section of every node. */
  readonly approvals?: unknown;
  /** `sessions.roundTimeoutMs` of every node. */
  readonly roundTimeoutMs?: number;
  /** Builds the relay server's routing backend (default: its own MemoryRelay). */
  readonly backend?: (nodeIds: readonly string[]) => Relay;
}

export class Cluster {
  private constructor(
    readonly root: string,
    readonly relay: WsRelayServer,
    readonly nodes: ClusterNode[],
  ) {}

  /**
   * Creates identities, starts the relay (enrolling the coordinator too) and writes configs;
   * nodes are not started yet (see `startAll`).
   */
  static async create(specs: readonly NodeSpec[], options: ClusterOptions): Promise<Cluster> {
    const { coordinator, approvals } = options;
    const root = mkdtempSync(join(tmpdir(), 'coffer-e2e-'));
    const prepared = await Promise.all(
      specs.map(async (spec) => {
        const { keystore, env } = providerConfig(spec.setup);
        const base = { dataDir: join(root, spec.name), keystore, log: { level: 'info' } };
        const configFile = writeJson(join(root, `${spec.name}.json`), base);
        const identity = await nodeIdentity(configFile, env);
        return { spec, base, configFile, env, identity };
      }),
    );
    const enrolled = [coordinator, ...prepared.map((p) => p.identity)];
    const relay = await WsRelayServer.start({
      serverId: 'e2e-relay',
      enrolled: enrolled.map(peerIdentity),
      logger: pino({ level: 'warn' }),
      ...(options.backend ? { backend: options.backend(enrolled.map((e) => e.nodeId)) } : {}),
    });
    const enrolment = {
      coordinator,
      peers: prepared.map((p) => p.identity),
      ...(approvals === undefined ? {} : { approvals }),
    };
    const nodes = prepared.map((p) => {
      writeJson(p.configFile, {
        ...p.base,
        relay: { url: relay.url, serverId: 'e2e-relay' },
        enrolment,
        ...(options.roundTimeoutMs === undefined
          ? {}
          : { sessions: { roundTimeoutMs: options.roundTimeoutMs } }),
      });
      return {
        name: p.spec.name,
        identity: p.identity,
        configFile: p.configFile,
        env: p.env,
        process: undefined,
      };
    });
    return new Cluster(root, relay, nodes);
  }

  node(name: string): ClusterNode {
    const node = this.nodes.find((n) => n.name === name);
    if (node === undefined) throw new Error(`no node ${name}`);
    return node;
  }

  /** Starts (or restarts) one node and waits until it is connected to the relay. */
  async start(name: string): Promise<NodeProcess> {
    const node = this.node(name);
    const child = await NodeProcess.start(name, node.configFile, node.env);
    node.process = child;
    await child.waitForHealth((h) => h.relay === 'connected');
    return child;
  }

  async startAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.start(n.name)));
  }

  /** Stops every node still running (SIGTERM, then SIGKILL if needed), the relay, the dirs. */
  async close(backend?: Relay): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        if (n.process && !n.process.exited) await n.process.stop('SIGTERM').catch(() => undefined);
      }),
    );
    await this.relay.close();
    await backend?.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}
