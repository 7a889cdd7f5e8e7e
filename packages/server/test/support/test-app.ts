/**
 * Builds the real app over a fresh in-memory PGlite database for `app.inject` tests, with
 * helpers that bootstrap the owner and log people in exactly as a client would (cookie +
 * CSRF header). Every test gets its own database.
 */
import { CSRF_HEADER, SESSION_COOKIE, type SessionInfo } from '@coffer/protocol';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import { loadServerConfig, type ServerConfig } from '../../src/config.js';
import { prepareBootstrap } from '../../src/modules/auth/bootstrap.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BOOTSTRAP_TOKEN = 'test-bootstrap-token-0123456789';
export const ORIGIN = 'http://localhost:8740';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly db: Database;
  readonly config: ServerConfig;
  close(): Promise<void>;
}

export async function createTestApp(
  overrides: Partial<ServerConfig> = {},
  db?: Database,
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'coffer-server-test-'));
  const config = loadServerConfig(
    {},
    {
      dataDir,
      bootstrapToken: BOOTSTRAP_TOKEN,
      publicOrigin: ORIGIN,
      logLevel: 'silent',
      ...overrides,
    },
  );
  const database = db ?? (await openDatabase({ dataDir: 'memory://' }));
  await migrate(database);
  const logger = pino({ level: 'silent' });
  await prepareBootstrap(database, { dataDir, configuredToken: BOOTSTRAP_TOKEN, log: logger });
  const app = await buildApp(
    { db: database, config, origin: ORIGIN, secureCookies: false },
    { logger, rateLimitPerMinute: 10_000 },
  );
  await app.ready();
  return {
    app,
    db: database,
    config,
    async close() {
      await app.close();
      if (!db) await database.close();
    },
  };
}

/** A logged-in person: sends the session cookie, and the CSRF header on changes. */
export class TestClient {
  constructor(
    readonly app: FastifyInstance,
    readonly session: SessionInfo,
    private readonly cookie: string,
  ) {}

  get userId(): string {
    return this.session.user.id;
  }

  request(options: InjectOptions): Promise<LightMyRequestResponse> {
    const safe = ['GET', 'HEAD', 'OPTIONS'].includes((options.method ?? 'GET').toUpperCase());
    return this.app.inject({
      ...options,
      headers: {
        ...options.headers,
        cookie: `${SESSION_COOKIE}=${this.cookie}`,
        ...(safe ? {} : { [CSRF_HEADER]: this.session.csrfToken }),
      },
    });
  }

  get(url: string) {
    return this.request({ method: 'GET', url });
  }

  post(url: string, payload?: unknown) {
    return this.request({
      method: 'POST',
      url,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  }

  delete(url: string) {
    return this.request({ method: 'DELETE', url });
  }

  static fromResponse(app: FastifyInstance, response: LightMyRequestResponse): TestClient {
    if (response.statusCode >= 300) {
      throw new Error(`expected a session, got ${response.statusCode}: ${response.body}`);
    }
    const cookie = response.cookies.find((c) => c.name === SESSION_COOKIE);
    if (!cookie) throw new Error('no session cookie in the response');
    return new TestClient(app, response.json<SessionInfo>(), cookie.value);
  }
}

export const PASSWORD = 'correct horse battery staple';

/** Bootstraps the instance: returns the owner's client and their organisation id. */
export async function bootstrapOwner(
  app: FastifyInstance,
  email = 'owner@example.org',
): Promise<{ owner: TestClient; orgId: string }> {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/bootstrap',
    payload: {
      token: BOOTSTRAP_TOKEN,
      email,
      password: PASSWORD,
      displayName: 'Owner',
      organisation: 'Acme',
    },
  });
  const owner = TestClient.fromResponse(app, response);
  const orgs = await owner.get('/v1/orgs');
  const orgId = orgs.json<{ memberships: { organisation: { id: string } }[] }>().memberships[0]!
    .organisation.id;
  return { owner, orgId };
}

/** Registers a new person (open registration, or with an invite token). */
export async function register(
  app: FastifyInstance,
  email: string,
  inviteToken?: string,
): Promise<TestClient> {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    payload: {
      email,
      password: PASSWORD,
      displayName: email.split('@')[0],
      ...(inviteToken ? { inviteToken } : {}),
    },
  });
  return TestClient.fromResponse(app, response);
}
