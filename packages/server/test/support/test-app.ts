/**
 * Builds the real app over a fresh in-memory PGlite database for `app.inject` tests, with
 * helpers that bootstrap the owner and log people in exactly as a client would (cookie +
 * CSRF header). Every test gets its own database.
 */
import { CSRF_HEADER, SESSION_COOKIE, type Role, type SessionInfo } from '@coffer/protocol';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import type { AppContext } from '../../src/app-context.js';
import { loadServerConfig, type ServerConfig } from '../../src/config.js';
import { prepareBootstrap } from '../../src/modules/auth/bootstrap.js';
import { newId, newSecretToken, tokenHash } from '../../src/ids.js';
import { hashPassword } from '../../src/modules/auth/passwords.js';
import { createSession } from '../../src/modules/auth/sessions-store.js';
import { createUser } from '../../src/modules/auth/users-store.js';
import { addMember } from '../../src/modules/orgs/store.js';
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
  /** Extra context built on the migrated database (e.g. a coordinator); the test closes it. */
  extend?: (db: Database) => Promise<Partial<Pick<AppContext, 'coordinator' | 'wakeJobs'>>>,
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
    { db: database, config, origin: ORIGIN, secureCookies: false, ...(await extend?.(database)) },
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

/** Sends requests to the app; subclasses add their credentials in `request`. */
export class InjectClient {
  constructor(readonly app: FastifyInstance) {}

  request(options: InjectOptions): Promise<LightMyRequestResponse> {
    return this.app.inject(options);
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

  patch(url: string, payload: unknown) {
    return this.request({ method: 'PATCH', url, payload: payload as object });
  }
}

/** A logged-in person: sends the session cookie, and the CSRF header on changes. */
export class TestClient extends InjectClient {
  constructor(
    app: FastifyInstance,
    readonly session: SessionInfo,
    private readonly cookie: string,
  ) {
    super(app);
  }

  get userId(): string {
    return this.session.user.id;
  }

  override request(options: InjectOptions): Promise<LightMyRequestResponse> {
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

let passwordHash: Promise<string> | undefined;

/**
 * A new person signed in through the stores rather than the API (no scrypt per user, no
 * rate limit): for tests that need many people. They can also log in with PASSWORD.
 */
export async function signInNewUser(t: TestApp, email: string): Promise<TestClient> {
  passwordHash ??= hashPassword(PASSWORD);
  const user = await createUser(t.db, {
    email,
    displayName: email.split('@')[0] ?? email,
    passwordHash: await passwordHash,
  });
  const { token, session } = await createSession(t.db, user.id, t.config.sessionTtlHours);
  const info: SessionInfo = {
    user,
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt.toISOString(),
  };
  return new TestClient(t.app, info, token);
}

/** A new person who is a member of `orgId` with `role`, signed in. */
export async function newMember(
  t: TestApp,
  orgId: string,
  email: string,
  role: Role,
): Promise<TestClient> {
  const client = await signInNewUser(t, email);
  await addMember(t.db, orgId, client.userId, role);
  return client;
}

/** A machine client: sends `Authorization: Bearer <secret>` (no cookie, no CSRF header). */
export class ApiKeyClient extends InjectClient {
  constructor(
    app: FastifyInstance,
    readonly id: string,
    readonly secret: string,
  ) {
    super(app);
  }

  override request(options: InjectOptions): Promise<LightMyRequestResponse> {
    return this.app.inject({
      ...options,
      headers: { ...options.headers, authorization: `Bearer ${this.secret}` },
    });
  }
}

/** Inserts an API key row directly (known secret, stored as its SHA-256) and returns its client. */
export async function insertApiKey(
  t: TestApp,
  input: { orgId: string; role: Exclude<Role, 'owner'>; createdBy: string },
): Promise<ApiKeyClient> {
  const id = newId('key');
  const secret = newSecretToken();
  await t.db.query(
    `INSERT INTO api_keys (id, org_id, name, role, secret_hash, created_by)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, input.orgId, `test ${input.role} key`, input.role, tokenHash(secret), input.createdBy],
  );
  return new ApiKeyClient(t.app, id, secret);
}
