/**
 * Test support for the session tests (not exported): an in-process cluster of signing nodes,
 * each with its own temp keystore (KMS provider from a test env), durable ledger, transport
 * over one MemoryRelay and session runner; a node can be "crashed" (runner dropped, keystore
 * closed) and restarted on the same directory. Plus ed25519 approvers and evidence builders.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import pino, { type Logger } from 'pino';
import { expect } from 'vitest';
import {
  approvalPayloadBytes,
  type ApprovalPolicy,
  type SigningEvidence,
} from '../approvals/index.js';
import { Keystore, openKmsProvider } from '../keystore/index.js';
import { directoryOf, type LocalNode } from '../transport/identity-types.js';
import { MemoryRelay, NodeTransport } from '../transport/index.js';
import { makeLocalNode } from '../transport/test-support.js';
import type { DkgSessionOutput } from './drivers/dkg.js';
import { DurableLedger } from './durable-ledger.js';
import { SessionRunner, type SessionRunnerOptions } from './runner.js';

export interface TestNode {
  readonly nodeId: string;
  readonly dir: string;
  readonly local: LocalNode;
  keystore: Keystore;
  ledger: DurableLedger;
  transport: NodeTransport;
  runner: SessionRunner;
  /** Log lines (parsed JSON) of this node. */
  readonly logs: Record<string, unknown>[];
}

export type RunnerExtras = Partial<Omit<SessionRunnerOptions, 'transport' | 'keystore' | 'ledger'>>;

const kmsEnv = {
  COFFER_KMS_KEY: randomBytes(32).toString('base64'),
  COFFER_KMS_KEY_ID: 'sessions-test',
};

export function captureLogger(lines: Record<string, unknown>[]): Logger {
  return pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
}

export async function openKeystore(dir: string): Promise<Keystore> {
  return Keystore.open({
    directory: dir,
    provider: await openKmsProvider({ env: kmsEnv }),
    createIfMissing: true,
  });
}

export class Cluster {
  readonly relay = new MemoryRelay();
  readonly nodes = new Map<string, TestNode>();
  readonly #locals: LocalNode[];

  private constructor(names: readonly string[]) {
    this.#locals = names.map(makeLocalNode);
  }

  static async start(names: readonly string[], extras: RunnerExtras = {}): Promise<Cluster> {
    const cluster = new Cluster(names);
    for (const local of cluster.#locals) {
      const dir = mkdtempSync(join(tmpdir(), `coffer-session-${local.identity.nodeId}-`));
      const keystore = await openKeystore(dir);
      const ledger = await DurableLedger.open({ directory: dir, keystore });
      const logs: Record<string, unknown>[] = [];
      const transport = cluster.#transport(local);
      const runner = new SessionRunner({
        transport,
        keystore,
        ledger,
        logger: captureLogger(logs),
        roundTimeoutMs: 5_000,
        ...extras,
      });
      cluster.nodes.set(local.identity.nodeId, {
        nodeId: local.identity.nodeId,
        dir,
        local,
        keystore,
        ledger,
        transport,
        runner,
        logs,
      });
    }
    return cluster;
  }

  node(id: string): TestNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** Replaces a node's runner (same keystore, ledger, transport). */
  reconfigure(id: string, extras: RunnerExtras): void {
    const n = this.node(id);
    n.runner.close();
    n.runner = new SessionRunner({
      transport: n.transport,
      keystore: n.keystore,
      ledger: n.ledger,
      logger: captureLogger(n.logs),
      roundTimeoutMs: 5_000,
      ...extras,
    });
  }

  /** Simulates a crash: drops the runner, closes ledger and keystore (no cleanup). */
  async crash(id: string): Promise<void> {
    const n = this.node(id);
    n.runner.close();
    n.ledger.close();
    await n.keystore.close();
  }

  /** Restarts a crashed node on its directory with a fresh transport and runner. */
  async restart(id: string, extras: RunnerExtras = {}): Promise<TestNode> {
    const n = this.node(id);
    n.keystore = await openKeystore(n.dir);
    n.ledger = await DurableLedger.open({ directory: n.dir, keystore: n.keystore });
    n.transport = this.#transport(n.local);
    n.runner = new SessionRunner({
      transport: n.transport,
      keystore: n.keystore,
      ledger: n.ledger,
      logger: captureLogger(n.logs),
      roundTimeoutMs: 5_000,
      ...extras,
    });
    return n;
  }

  /**
   * Runs a key generation (`dkg` or `dkls23-keygen`) on every participant's node in one fresh
   * session and returns the output, after checking that every node agrees on the public key.
   */
  async generateKey(
    protocol: 'dkg' | 'dkls23-keygen',
    params: Record<string, unknown>,
    participants: Record<string, string>,
  ): Promise<DkgSessionOutput> {
    const sessionId = freshSessionId();
    const results = await Promise.all(
      Object.values(participants).map((node) =>
        this.node(node).runner.run<DkgSessionOutput>({
          sessionId,
          protocol,
          params,
          participants,
        }),
      ),
    );
    const outputs = results.map((r) => r.output);
    expect(new Set(outputs.map((o) => o.publicKey)).size).toBe(1);
    return outputs[0]!;
  }

  async stop(): Promise<void> {
    for (const n of this.nodes.values()) {
      n.runner.close();
      n.ledger.close();
      await n.keystore.close();
    }
    await this.relay.close();
  }

  #transport(local: LocalNode): NodeTransport {
    return new NodeTransport({
      self: local,
      directory: directoryOf(this.#locals.map((l) => l.identity)),
      relay: this.relay,
    });
  }
}

export function freshSessionId(): string {
  return randomBytes(32).toString('hex');
}

/** An API-key approver: an Ed25519 key pair and its enrolment. */
export function makeApiKeyApprover(keyId: string) {
  const { secretKey, publicKey } = ed25519.keygen();
  return {
    keyId,
    secretKey,
    enrolment: {
      keyId,
      scheme: 'ed25519' as const,
      publicKey: Buffer.from(publicKey).toString('hex'),
    },
  };
}

export type ApiKeyApprover = ReturnType<typeof makeApiKeyApprover>;

/** Evidence for `digests`, approved by `approvers` (Ed25519 over the canonical payload). */
export function approveWithApiKeys(
  policy: ApprovalPolicy,
  digests: readonly string[],
  approvers: readonly ApiKeyApprover[],
  requestId = `req-${randomBytes(4).toString('hex')}`,
): SigningEvidence {
  const body = {
    requestId,
    vaultId: policy.vaultId,
    digests: [...digests],
    policyVersion: policy.policyVersion,
  };
  const payload = approvalPayloadBytes(body);
  return {
    version: 1,
    ...body,
    approvals: approvers.map((a) => ({
      approverKeyId: a.keyId,
      scheme: 'ed25519' as const,
      signature: Buffer.from(ed25519.sign(payload, a.secretKey)).toString('hex'),
    })),
  };
}
