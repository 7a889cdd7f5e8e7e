/**
 * System-test support for the Coffer server as coordinator (issue 5): the server started
 * in-process (`startServer`: PGlite in a temp dir, HTTP and relay on free loopback ports),
 * its owner bootstrapped, and real `coffer node` child processes configured the way an
 * operator configures them — `enrolment.coordinator`, `relay.url` and `relay.serverId` from
 * GET /v1/coordinator, the other nodes as peers — enrolled through the API and started until
 * their /healthz reports the relay connected. HTTP calls go through `app.inject` with the
 * owner's session cookie and CSRF header (or an API key). `close()` stops every node by PID,
 * the server, and removes the temp dirs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CSRF_HEADER, SESSION_COOKIE, type CoordinatorInfo } from '@coffer/protocol';
import pino from 'pino';
import { loadServerConfig, startServer, type RunningServer } from '@coffer/server';
import { newPassphrase, providerConfig } from './cluster.js';
import {
  NodeProcess,
  nodeIdentity,
  writeJson,
  type Env,
  type PublicIdentityJson,
} from './node-process.js';

const BOOTSTRAP_TOKEN = 'e2e-server-bootstrap-token-0123';

export interface ServerNode {
  readonly name: string;
  readonly identity: PublicIdentityJson;
  readonly configFile: string;
  readonly env: Env;
  process: NodeProcess | undefined;
}

export interface ApiResponse<T> {
  readonly status: number;
  /** The JSON answer, typed by the caller (an error answer has the ApiErrorBody shape). */
  readonly body: T;
}

export class ServerCluster {
  private constructor(
    readonly root: string,
    readonly server: RunningServer,
    readonly orgId: string,
    readonly nodes: ServerNode[],
    private readonly session: { cookie: string; csrf: string },
  ) {}

  /** Starts the server, bootstraps the owner, prepares `names.length` node configs (not started). */
  static async create(names: readonly string[], roundTimeoutMs = 8_000): Promise<ServerCluster> {
    const root = mkdtempSync(join(tmpdir(), 'coffer-e2e-server-'));
    const config = loadServerConfig(
      {},
      {
        dataDir: join(root, 'server'),
        port: 0,
        relayPort: 0,
        bootstrapToken: BOOTSTRAP_TOKEN,
        logLevel: 'warn',
      },
    );
    const server = await startServer(config, pino({ level: 'error' }));
    try {
      const boot = await server.app.inject({
        method: 'POST',
        url: '/v1/bootstrap',
        payload: {
          token: BOOTSTRAP_TOKEN,
          email: 'owner@example.org',
          password: 'correct horse battery staple',
          displayName: 'Owner',
          organisation: 'Acme',
        },
      });
      if (boot.statusCode !== 201 && boot.statusCode !== 200) {
        throw new Error(`bootstrap failed: ${boot.statusCode} ${boot.body}`);
      }
      const cookie = boot.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
      const csrf = boot.json<{ csrfToken: string }>().csrfToken;
      const coordinator = (
        await server.app.inject({ method: 'GET', url: '/v1/coordinator' })
      ).json<CoordinatorInfo>();
      const prepared = await Promise.all(
        names.map(async (name) => {
          const { keystore, env } = providerConfig({
            provider: 'passphrase',
            passphrase: newPassphrase(),
          });
          const base = { dataDir: join(root, name), keystore, log: { level: 'info' } };
          const configFile = writeJson(join(root, `${name}.json`), base);
          return { name, base, configFile, env, identity: await nodeIdentity(configFile, env) };
        }),
      );
      const enrolment = {
        coordinator: {
          nodeId: coordinator.nodeId,
          signingKey: coordinator.signingKey,
          encryptionKey: coordinator.encryptionKey,
        },
        peers: prepared.map((p) => p.identity),
      };
      const nodes = prepared.map((p) => {
        writeJson(p.configFile, {
          ...p.base,
          relay: { url: coordinator.relayUrl, serverId: coordinator.serverId },
          enrolment,
          sessions: { roundTimeoutMs },
        });
        return { ...p, process: undefined };
      });
      const orgs = await server.app.inject({
        method: 'GET',
        url: '/v1/orgs',
        headers: { cookie: `${SESSION_COOKIE}=${cookie}` },
      });
      const orgId = orgs.json<{ memberships: { organisation: { id: string } }[] }>().memberships[0]!
        .organisation.id;
      return new ServerCluster(root, server, orgId, nodes, { cookie, csrf });
    } catch (error) {
      await server.close();
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
  }

  /** An API call as the owner (session cookie, CSRF header on changes). */
  async api<T>(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    payload?: object,
  ): Promise<ApiResponse<T>> {
    return this.#inject<T>(method, url, payload, {
      cookie: `${SESSION_COOKIE}=${this.session.cookie}`,
      ...(method === 'GET' ? {} : { [CSRF_HEADER]: this.session.csrf }),
    });
  }

  /** An API call with an API key. */
  async apiWithKey<T>(
    secret: string,
    method: 'GET' | 'POST',
    url: string,
    payload?: object,
  ): Promise<ApiResponse<T>> {
    return this.#inject<T>(method, url, payload, { authorization: `Bearer ${secret}` });
  }

  async #inject<T>(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    payload: object | undefined,
    headers: Record<string, string>,
  ): Promise<ApiResponse<T>> {
    const response = await this.server.app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    return { status: response.statusCode, body: response.json<T>() };
  }

  node(name: string): ServerNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  /** Enrols every node in the organisation through the API. */
  async enrolAll(): Promise<void> {
    for (const node of this.nodes) {
      const response = await this.api('POST', `/v1/orgs/${this.orgId}/nodes`, {
        name: node.name,
        identity: node.identity,
      });
      if (response.status !== 201)
        throw new Error(`enrol ${node.name}: ${JSON.stringify(response.body)}`);
    }
  }

  /** Starts one node process and waits until its relay connection is up. */
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

  async close(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        if (n.process && !n.process.exited) await n.process.stop('SIGTERM').catch(() => undefined);
      }),
    );
    await this.server.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Polls `read` until `done` holds (bounded; throws with the last value). */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}
