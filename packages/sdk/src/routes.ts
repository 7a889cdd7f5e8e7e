/**
 * The Coffer HTTP API, route by route, as the server declares it (packages/server
 * src/modules/<feature>/routes.ts): every entry names the method, the path and the
 * @coffer/protocol schemas of its body, query and response. `CofferClient` has one generic
 * `call(route, input)` over this table and a thin method per route.
 */
import {
  AuditListQuery,
  AuditPage,
  AuditVerificationSchema,
  AuditVerifyQuery,
  BootstrapRequest,
  BootstrapStatus,
  CoordinatorInfo,
  CreateOrganisationRequest,
  CreateSignatureRequest,
  CreateVaultRequest,
  EnrolNodeRequest,
  LoginRequest,
  Membership,
  Ok,
  Organisation,
  RegisterRequest,
  RemoveNodeQuery,
  SessionInfo,
  SignatureRequest,
  SignatureRequestList,
  SigningNodeInfo,
  SigningNodeList,
  User,
  Vault,
  VaultList,
  Approval,
} from '@coffer/protocol';
import { z } from 'zod';
import { route } from './route.js';

/** GET /v1/orgs answers `{ memberships }` (packages/server modules/orgs/routes.ts). */
export const MembershipList = z.object({ memberships: z.array(Membership) });

const Health = z.object({ status: z.enum(['ok', 'unavailable']) });

export const routes = {
  // Health (modules/health)
  health: route('GET', '/healthz', { response: Health }),
  ready: route('GET', '/readyz', { response: Health }),

  // Identity (modules/auth)
  bootstrapStatus: route('GET', '/v1/bootstrap', { response: BootstrapStatus }),
  bootstrap: route('POST', '/v1/bootstrap', {
    body: BootstrapRequest,
    response: SessionInfo,
    session: 'starts',
  }),
  register: route('POST', '/v1/auth/register', {
    body: RegisterRequest,
    response: SessionInfo,
    session: 'starts',
  }),
  login: route('POST', '/v1/auth/login', {
    body: LoginRequest,
    response: SessionInfo,
    session: 'starts',
  }),
  logout: route('POST', '/v1/auth/logout', { response: Ok, session: 'ends' }),
  session: route('GET', '/v1/auth/session', { response: SessionInfo }),
  me: route('GET', '/v1/me', { response: User }),

  // Organisations (modules/orgs)
  listOrgs: route('GET', '/v1/orgs', { response: MembershipList }),
  createOrg: route('POST', '/v1/orgs', { body: CreateOrganisationRequest, response: Organisation }),
  getOrg: route('GET', '/v1/orgs/:orgId', { response: Organisation }),

  // Signing nodes and the coordinator (modules/nodes)
  coordinator: route('GET', '/v1/coordinator', { response: CoordinatorInfo }),
  enrolNode: route('POST', '/v1/orgs/:orgId/nodes', {
    body: EnrolNodeRequest,
    response: SigningNodeInfo,
  }),
  listNodes: route('GET', '/v1/orgs/:orgId/nodes', { response: SigningNodeList }),
  getNode: route('GET', '/v1/orgs/:orgId/nodes/:nodeId', { response: SigningNodeInfo }),
  removeNode: route('DELETE', '/v1/orgs/:orgId/nodes/:nodeId', {
    query: RemoveNodeQuery,
    response: Ok,
  }),

  // Vaults (modules/vaults)
  createVault: route('POST', '/v1/orgs/:orgId/vaults', {
    body: CreateVaultRequest,
    response: Vault,
  }),
  listVaults: route('GET', '/v1/orgs/:orgId/vaults', { response: VaultList }),
  getVault: route('GET', '/v1/orgs/:orgId/vaults/:vaultId', { response: Vault }),

  // Signature requests (modules/signing)
  createSignatureRequest: route('POST', '/v1/orgs/:orgId/vaults/:vaultId/signature-requests', {
    body: CreateSignatureRequest,
    response: SignatureRequest,
  }),
  listSignatureRequests: route('GET', '/v1/orgs/:orgId/vaults/:vaultId/signature-requests', {
    response: SignatureRequestList,
  }),
  getSignatureRequest: route(
    'GET',
    '/v1/orgs/:orgId/vaults/:vaultId/signature-requests/:requestId',
    { response: SignatureRequest },
  ),
  approveSignatureRequest: route(
    'POST',
    '/v1/orgs/:orgId/vaults/:vaultId/signature-requests/:requestId/approvals',
    { body: Approval, response: SignatureRequest },
  ),

  // Audit log (modules/audit)
  listAudit: route('GET', '/v1/orgs/:orgId/audit', { query: AuditListQuery, response: AuditPage }),
  exportAudit: route('GET', '/v1/orgs/:orgId/audit/export', { response: z.string() }),
  verifyAudit: route('GET', '/v1/orgs/:orgId/audit/verify', {
    query: AuditVerifyQuery,
    response: AuditVerificationSchema,
  }),
} as const;

export type Routes = typeof routes;
