/**
 * `CofferClient`: a typed client for the Coffer HTTP API over `fetch`. One generic core,
 * `call(route, input)`, fills the path, sends the query and JSON body, authenticates, and
 * parses the answer with the route's @coffer/protocol schema (routes.ts); an error answer is
 * thrown as `CofferApiError` (errors.ts). The named methods below are one line each over it.
 *
 * Authentication is either a login session or an API key:
 * - session: `login`, `register` and `bootstrap` store the session cookie the server sets
 *   (httpOnly `coffer_session`) and the CSRF token of the answer; the client then sends the
 *   cookie on every request and the token in the `x-coffer-csrf` header on every
 *   state-changing one (the server's synchroniser-token check, modules/auth/authenticate.ts).
 *   `sessionCredentials` exposes both so a CLI can keep them between runs.
 * - API key: `Authorization: Bearer <key>`, no cookie and no CSRF token.
 */
import { CSRF_HEADER, SESSION_COOKIE } from '@coffer/protocol';
import type { z } from 'zod';
import { CofferApiError, errorFromResponse } from './errors.js';
import { pollUntil, type PollOptions } from './poll.js';
import { fillPath, type Route, type RouteArgs, type RouteOutput } from './route.js';
import { routes, type Routes } from './routes.js';

/** What keeps a login session between processes: the cookie value and its CSRF token. */
export interface SessionCredentials {
  readonly token: string;
  readonly csrfToken: string;
}

export interface CofferClientOptions {
  /** Where the server listens, e.g. `http://127.0.0.1:8740`. */
  readonly baseUrl: string;
  /** Resume a login session saved earlier. */
  readonly session?: SessionCredentials;
  /** Authenticate as a machine client instead (the API key's secret). */
  readonly apiKey?: string;
  /** Per-request limit (default 30 s). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

type Body<K extends keyof Routes> = Routes[K]['body'] extends z.ZodType
  ? z.input<Routes[K]['body']>
  : never;
type Query<K extends keyof Routes> = Routes[K]['query'] extends z.ZodType
  ? z.input<Routes[K]['query']>
  : never;
type Output<K extends keyof Routes> = RouteOutput<Routes[K]>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Where a request stops moving unless someone acts (chain adapters move signed ones on). */
const SETTLED_REQUEST_STATUSES: readonly string[] = [
  'signed',
  'broadcast',
  'confirmed',
  'rejected',
  'cancelled',
  'expired',
  'failed',
];

export class CofferClient {
  readonly baseUrl: string;
  readonly #apiKey: string | undefined;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  #session: { token: string | undefined; csrfToken: string | undefined } = {
    token: undefined,
    csrfToken: undefined,
  };

  constructor(options: CofferClientOptions) {
    if (options.session !== undefined && options.apiKey !== undefined) {
      throw new TypeError('give a session or an API key, not both');
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#fetch = options.fetch ?? fetch;
    if (options.session !== undefined) this.#session = { ...options.session };
  }

  /** The current login session (after login, register or bootstrap), to save and resume. */
  get sessionCredentials(): SessionCredentials | undefined {
    const { token, csrfToken } = this.#session;
    return token === undefined || csrfToken === undefined ? undefined : { token, csrfToken };
  }

  /** The one core every method uses: any route of the table, typed by its schemas. */
  async call<R extends Route>(route: R, ...[input]: RouteArgs<R>): Promise<RouteOutput<R>> {
    const parts = (input ?? {}) as {
      params?: Record<string, string>;
      query?: object;
      body?: unknown;
      idempotencyKey?: string;
    };
    const url = new URL(fillPath(route.path, parts.params), `${this.baseUrl}/`);
    for (const [name, value] of Object.entries(parts.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#apiKey !== undefined) headers.authorization = `Bearer ${this.#apiKey}`;
    else if (this.#session.token !== undefined) {
      headers.cookie = `${SESSION_COOKIE}=${this.#session.token}`;
      if (!SAFE_METHODS.has(route.method) && this.#session.csrfToken !== undefined) {
        headers[CSRF_HEADER] = this.#session.csrfToken;
      }
    }
    if (parts.body !== undefined) headers['content-type'] = 'application/json';
    if (parts.idempotencyKey !== undefined) headers['idempotency-key'] = parts.idempotencyKey;

    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: route.method,
        headers,
        ...(parts.body === undefined ? {} : { body: JSON.stringify(parts.body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CofferApiError(0, 'UNREACHABLE', `cannot reach ${this.baseUrl}: ${reason}`);
    }
    const text = await response.text();
    if (!response.ok) throw errorFromResponse(response.status, text);
    const output = this.#parse(route, response, text);
    this.#trackSession(route, response, output);
    return output;
  }

  #parse<R extends Route>(route: R, response: Response, text: string): RouteOutput<R> {
    const json = (response.headers.get('content-type') ?? '').includes('application/json');
    let value: unknown = text;
    try {
      if (json) value = JSON.parse(text);
    } catch {
      throw new CofferApiError(response.status, 'UNEXPECTED_RESPONSE', 'malformed JSON answer');
    }
    const parsed = route.response.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CofferApiError(
        response.status,
        'UNEXPECTED_RESPONSE',
        `answer of ${route.method} ${route.path} does not match its schema`,
        issue === undefined ? [] : [{ path: issue.path.join('.'), message: issue.message }],
      );
    }
    return parsed.data as RouteOutput<R>;
  }

  /** Keeps the cookie the server set and the CSRF token of a session-starting answer. */
  #trackSession(route: Route, response: Response, output: unknown): void {
    if (route.session === 'ends') {
      this.#session = { token: undefined, csrfToken: undefined };
      return;
    }
    for (const header of response.headers.getSetCookie()) {
      const match = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(header);
      if (match) this.#session.token = match[1] === '' ? undefined : decodeURIComponent(match[1]!);
    }
    if (route.session === 'starts' || route.path === routes.session.path) {
      this.#session.csrfToken = (output as { csrfToken: string }).csrfToken;
    }
  }

  // Health
  health = () => this.call(routes.health);
  ready = () => this.call(routes.ready);

  // Identity
  bootstrapStatus = () => this.call(routes.bootstrapStatus);
  bootstrap = (body: Body<'bootstrap'>) => this.call(routes.bootstrap, { body });
  register = (body: Body<'register'>) => this.call(routes.register, { body });
  login = (body: Body<'login'>) => this.call(routes.login, { body });
  logout = () => this.call(routes.logout);
  session = () => this.call(routes.session);
  me = () => this.call(routes.me);
  changePassword = (body: Body<'changePassword'>) => this.call(routes.changePassword, { body });

  // Second factors
  startTotp = (body: Body<'startTotp'>) => this.call(routes.startTotp, { body });
  confirmTotp = (body: Body<'confirmTotp'>) => this.call(routes.confirmTotp, { body });
  disableTotp = (body: Body<'disableTotp'>) => this.call(routes.disableTotp, { body });
  passkeyRegistrationOptions = () => this.call(routes.passkeyRegistrationOptions);
  registerPasskey = (body: Body<'registerPasskey'>) => this.call(routes.registerPasskey, { body });
  listPasskeys = () => this.call(routes.listPasskeys);
  removePasskey = (passkeyId: string) => this.call(routes.removePasskey, { params: { passkeyId } });
  passkeyLoginOptions = (body: Body<'passkeyLoginOptions'> = {}) =>
    this.call(routes.passkeyLoginOptions, { body });
  passkeyLogin = (body: Body<'passkeyLogin'>) => this.call(routes.passkeyLogin, { body });

  // Organisations
  listOrgs = () => this.call(routes.listOrgs);
  createOrg = (body: Body<'createOrg'>) => this.call(routes.createOrg, { body });
  getOrg = (orgId: string) => this.call(routes.getOrg, { params: { orgId } });
  renameOrg = (orgId: string, body: Body<'renameOrg'>) =>
    this.call(routes.renameOrg, { params: { orgId }, body });
  listMembers = (orgId: string) => this.call(routes.listMembers, { params: { orgId } });
  changeMemberRole = (orgId: string, userId: string, body: Body<'changeMemberRole'>) =>
    this.call(routes.changeMemberRole, { params: { orgId, userId }, body });
  removeMember = (orgId: string, userId: string) =>
    this.call(routes.removeMember, { params: { orgId, userId } });
  createInvite = (orgId: string, body: Body<'createInvite'>) =>
    this.call(routes.createInvite, { params: { orgId }, body });
  listInvites = (orgId: string) => this.call(routes.listInvites, { params: { orgId } });
  revokeInvite = (orgId: string, inviteId: string) =>
    this.call(routes.revokeInvite, { params: { orgId, inviteId } });
  acceptInvite = (body: Body<'acceptInvite'>) => this.call(routes.acceptInvite, { body });

  // API keys
  createApiKey = (orgId: string, body: Body<'createApiKey'>) =>
    this.call(routes.createApiKey, { params: { orgId }, body });
  listApiKeys = (orgId: string) => this.call(routes.listApiKeys, { params: { orgId } });
  revokeApiKey = (orgId: string, keyId: string) =>
    this.call(routes.revokeApiKey, { params: { orgId, keyId } });

  // Signing nodes
  coordinator = () => this.call(routes.coordinator);
  enrolNode = (orgId: string, body: Body<'enrolNode'>) =>
    this.call(routes.enrolNode, { params: { orgId }, body });
  listNodes = (orgId: string) => this.call(routes.listNodes, { params: { orgId } });
  getNode = (orgId: string, nodeId: string) =>
    this.call(routes.getNode, { params: { orgId, nodeId } });
  removeNode = (orgId: string, nodeId: string, query: Query<'removeNode'> = {}) =>
    this.call(routes.removeNode, { params: { orgId, nodeId }, query });

  // Vaults
  createVault = (orgId: string, body: Body<'createVault'>) =>
    this.call(routes.createVault, { params: { orgId }, body });
  listVaults = (orgId: string) => this.call(routes.listVaults, { params: { orgId } });
  getVault = (orgId: string, vaultId: string) =>
    this.call(routes.getVault, { params: { orgId, vaultId } });

  // Signature requests
  /** `idempotencyKey`: a retry with the same key returns the first request, never a second. */
  createSignatureRequest = (
    orgId: string,
    vaultId: string,
    body: Body<'createSignatureRequest'>,
    idempotencyKey?: string,
  ) =>
    this.call(routes.createSignatureRequest, {
      params: { orgId, vaultId },
      body,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    });
  listSignatureRequests = (orgId: string, vaultId: string) =>
    this.call(routes.listSignatureRequests, { params: { orgId, vaultId } });
  getSignatureRequest = (orgId: string, vaultId: string, requestId: string) =>
    this.call(routes.getSignatureRequest, { params: { orgId, vaultId, requestId } });
  approveSignatureRequest = (
    orgId: string,
    vaultId: string,
    requestId: string,
    approval: Body<'approveSignatureRequest'>,
  ) =>
    this.call(routes.approveSignatureRequest, {
      params: { orgId, vaultId, requestId },
      body: approval,
    });
  rejectSignatureRequest = (
    orgId: string,
    vaultId: string,
    requestId: string,
    rejection: Body<'rejectSignatureRequest'>,
  ) =>
    this.call(routes.rejectSignatureRequest, {
      params: { orgId, vaultId, requestId },
      body: rejection,
    });
  cancelSignatureRequest = (orgId: string, vaultId: string, requestId: string) =>
    this.call(routes.cancelSignatureRequest, { params: { orgId, vaultId, requestId } });

  // Policy versions and the dry run
  getPolicy = (orgId: string) => this.call(routes.getPolicy, { params: { orgId } });
  listPolicyVersions = (orgId: string) =>
    this.call(routes.listPolicyVersions, { params: { orgId } });
  getPolicyVersion = (orgId: string, version: number) =>
    this.call(routes.getPolicyVersion, { params: { orgId, version: String(version) } });
  proposePolicyVersion = (orgId: string, body: Body<'proposePolicyVersion'>) =>
    this.call(routes.proposePolicyVersion, { params: { orgId }, body });
  proposeAddressBookEntry = (orgId: string, body: Body<'proposeAddressBookEntry'>) =>
    this.call(routes.proposeAddressBookEntry, { params: { orgId }, body });
  approvePolicyVersion = (orgId: string, version: number, body: Body<'approvePolicyVersion'>) =>
    this.call(routes.approvePolicyVersion, {
      params: { orgId, version: String(version) },
      body,
    });
  rejectPolicyVersion = (orgId: string, version: number, body: Body<'rejectPolicyVersion'>) =>
    this.call(routes.rejectPolicyVersion, { params: { orgId, version: String(version) }, body });
  withdrawPolicyVersion = (orgId: string, version: number) =>
    this.call(routes.withdrawPolicyVersion, { params: { orgId, version: String(version) } });
  policyDryRun = (orgId: string, body: Body<'policyDryRun'>) =>
    this.call(routes.policyDryRun, { params: { orgId }, body });

  // External approvers
  createExternalApprover = (orgId: string, body: Body<'createExternalApprover'>) =>
    this.call(routes.createExternalApprover, { params: { orgId }, body });
  listExternalApprovers = (orgId: string) =>
    this.call(routes.listExternalApprovers, { params: { orgId } });
  getExternalApprover = (orgId: string, endpointId: string) =>
    this.call(routes.getExternalApprover, { params: { orgId, endpointId } });
  deleteExternalApprover = (orgId: string, endpointId: string) =>
    this.call(routes.deleteExternalApprover, { params: { orgId, endpointId } });

  // Audit log
  listAudit = (orgId: string, query: Query<'listAudit'> = {}) =>
    this.call(routes.listAudit, { params: { orgId }, query });
  exportAudit = (orgId: string) => this.call(routes.exportAudit, { params: { orgId } });
  verifyAudit = (orgId: string, query: Query<'verifyAudit'> = {}) =>
    this.call(routes.verifyAudit, { params: { orgId }, query });

  // Notifications (the event stream is not a `call`: see routes.events)
  pendingApprovals = () => this.call(routes.pendingApprovals);
  createWebhook = (orgId: string, body: Body<'createWebhook'>) =>
    this.call(routes.createWebhook, { params: { orgId }, body });
  listWebhooks = (orgId: string) => this.call(routes.listWebhooks, { params: { orgId } });
  deleteWebhook = (orgId: string, webhookId: string) =>
    this.call(routes.deleteWebhook, { params: { orgId, webhookId } });
  listWebhookDeliveries = (orgId: string, webhookId: string) =>
    this.call(routes.listWebhookDeliveries, { params: { orgId, webhookId } });
  redeliverWebhook = (orgId: string, webhookId: string, deliveryId: string) =>
    this.call(routes.redeliverWebhook, { params: { orgId, webhookId, deliveryId } });

  // Long-running work: poll until it settles.

  /** Polls a vault until its key generation has finished (`active` or `failed`). */
  waitForVault = (orgId: string, vaultId: string, options: PollOptions<Output<'getVault'>> = {}) =>
    pollUntil(
      () => this.getVault(orgId, vaultId),
      (v) => v.status !== 'creating',
      options,
    );

  /**
   * Polls a signature request until it is signed or ended (rejected, cancelled, expired,
   * failed); a request still waiting for approvals keeps polling until the timeout.
   */
  waitForSignature = (
    orgId: string,
    vaultId: string,
    requestId: string,
    options: PollOptions<Output<'getSignatureRequest'>> = {},
  ) =>
    pollUntil(
      () => this.getSignatureRequest(orgId, vaultId, requestId),
      (r) => SETTLED_REQUEST_STATUSES.includes(r.status),
      options,
    );
}
