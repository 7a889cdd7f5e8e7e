/**
 * The Coffer HTTP API, route by route, as the server declares it (packages/server
 * src/modules/<feature>/routes.ts): every entry names the method, the path and the
 * @coffer/protocol schemas of its body, query and response. `CofferClient` has one generic
 * `call(route, input)` over this table and a thin method per route.
 */
import {
  AcceptInviteRequest,
  ApiKeyList,
  Approval,
  AuditListQuery,
  AuditPage,
  AuditVerificationSchema,
  AuditVerifyQuery,
  BootstrapRequest,
  BootstrapStatus,
  CoordinatorInfo,
  CreateApiKeyRequest,
  CreatedApiKey,
  CreatedInvite,
  CreateInviteRequest,
  CreateOrganisationRequest,
  CreateSignatureRequest,
  CreateVaultRequest,
  CreateExternalApprover,
  CreatedExternalApprover,
  ExternalApprover,
  ExternalApproverList,
  CurrentPolicy,
  PolicyDryRun,
  PolicyDryRunResult,
  PolicyVersion,
  PolicyVersionList,
  ProposeAddressBookEntry,
  ProposePolicyVersion,
  EnrolNodeRequest,
  InviteList,
  LoginRequest,
  Member,
  MemberList,
  Membership,
  Ok,
  Organisation,
  Passkey,
  PasskeyList,
  PasskeyLoginOptions,
  PasskeyLoginOptionsRequest,
  PasskeyLoginRequest,
  PasskeyRegistrationOptions,
  PasskeyRegistrationRequest,
  PasswordChangeRequest,
  PendingApprovals,
  RegisterRequest,
  RemoveNodeQuery,
  SessionInfo,
  SignatureRequest,
  SignatureRequestList,
  SigningNodeInfo,
  SigningNodeList,
  TotpConfirmRequest,
  TotpDisableRequest,
  TotpEnrolment,
  TotpEnrolmentRequest,
  UpdateMemberRequest,
  UpdateOrganisationRequest,
  User,
  Vault,
  VaultList,
  WebhookCreateBody,
  WebhookCreated,
  WebhookDeliveryList,
  WebhookDeliverySchema,
  WebhookList,
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
  changePassword: route('POST', '/v1/auth/password', { body: PasswordChangeRequest, response: Ok }),

  // Second factors (modules/auth totp-routes.ts, passkeys-routes.ts)
  startTotp: route('POST', '/v1/auth/totp', {
    body: TotpEnrolmentRequest,
    response: TotpEnrolment,
  }),
  confirmTotp: route('POST', '/v1/auth/totp/confirm', { body: TotpConfirmRequest, response: Ok }),
  disableTotp: route('DELETE', '/v1/auth/totp', { body: TotpDisableRequest, response: Ok }),
  passkeyRegistrationOptions: route('POST', '/v1/auth/passkeys/registration/options', {
    response: PasskeyRegistrationOptions,
  }),
  registerPasskey: route('POST', '/v1/auth/passkeys/registration', {
    body: PasskeyRegistrationRequest,
    response: Passkey,
  }),
  listPasskeys: route('GET', '/v1/auth/passkeys', { response: PasskeyList }),
  removePasskey: route('DELETE', '/v1/auth/passkeys/:passkeyId', { response: Ok }),
  passkeyLoginOptions: route('POST', '/v1/auth/passkeys/login/options', {
    body: PasskeyLoginOptionsRequest,
    response: PasskeyLoginOptions,
  }),
  passkeyLogin: route('POST', '/v1/auth/passkeys/login', {
    body: PasskeyLoginRequest,
    response: SessionInfo,
    session: 'starts',
  }),

  // Organisations (modules/orgs)
  listOrgs: route('GET', '/v1/orgs', { response: MembershipList }),
  createOrg: route('POST', '/v1/orgs', { body: CreateOrganisationRequest, response: Organisation }),
  getOrg: route('GET', '/v1/orgs/:orgId', { response: Organisation }),
  renameOrg: route('PATCH', '/v1/orgs/:orgId', {
    body: UpdateOrganisationRequest,
    response: Organisation,
  }),
  listMembers: route('GET', '/v1/orgs/:orgId/members', { response: MemberList }),
  changeMemberRole: route('PATCH', '/v1/orgs/:orgId/members/:userId', {
    body: UpdateMemberRequest,
    response: Member,
  }),
  removeMember: route('DELETE', '/v1/orgs/:orgId/members/:userId', { response: Ok }),
  createInvite: route('POST', '/v1/orgs/:orgId/invites', {
    body: CreateInviteRequest,
    response: CreatedInvite,
  }),
  listInvites: route('GET', '/v1/orgs/:orgId/invites', { response: InviteList }),
  revokeInvite: route('DELETE', '/v1/orgs/:orgId/invites/:inviteId', { response: Ok }),
  acceptInvite: route('POST', '/v1/invites/accept', {
    body: AcceptInviteRequest,
    response: Membership,
  }),

  // API keys (modules/auth api-keys-routes.ts)
  createApiKey: route('POST', '/v1/orgs/:orgId/api-keys', {
    body: CreateApiKeyRequest,
    response: CreatedApiKey,
  }),
  listApiKeys: route('GET', '/v1/orgs/:orgId/api-keys', { response: ApiKeyList }),
  revokeApiKey: route('DELETE', '/v1/orgs/:orgId/api-keys/:keyId', { response: Ok }),

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
  rejectSignatureRequest: route(
    'POST',
    '/v1/orgs/:orgId/vaults/:vaultId/signature-requests/:requestId/rejections',
    { body: Approval, response: SignatureRequest },
  ),
  cancelSignatureRequest: route(
    'POST',
    '/v1/orgs/:orgId/vaults/:vaultId/signature-requests/:requestId/cancel',
    { response: SignatureRequest },
  ),

  // Policy versions and the dry run (modules/policy)
  getPolicy: route('GET', '/v1/orgs/:orgId/policy', { response: CurrentPolicy }),
  listPolicyVersions: route('GET', '/v1/orgs/:orgId/policy/versions', {
    response: PolicyVersionList,
  }),
  getPolicyVersion: route('GET', '/v1/orgs/:orgId/policy/versions/:version', {
    response: PolicyVersion,
  }),
  proposePolicyVersion: route('POST', '/v1/orgs/:orgId/policy/versions', {
    body: ProposePolicyVersion,
    response: PolicyVersion,
  }),
  proposeAddressBookEntry: route('POST', '/v1/orgs/:orgId/policy/address-book', {
    body: ProposeAddressBookEntry,
    response: PolicyVersion,
  }),
  approvePolicyVersion: route('POST', '/v1/orgs/:orgId/policy/versions/:version/approvals', {
    body: Approval,
    response: PolicyVersion,
  }),
  rejectPolicyVersion: route('POST', '/v1/orgs/:orgId/policy/versions/:version/rejections', {
    body: Approval,
    response: PolicyVersion,
  }),
  withdrawPolicyVersion: route('POST', '/v1/orgs/:orgId/policy/versions/:version/withdraw', {
    response: Ok,
  }),
  policyDryRun: route('POST', '/v1/orgs/:orgId/policy/dry-run', {
    body: PolicyDryRun,
    response: PolicyDryRunResult,
  }),

  // External approvers (modules/external-approvers)
  createExternalApprover: route('POST', '/v1/orgs/:orgId/external-approvers', {
    body: CreateExternalApprover,
    response: CreatedExternalApprover,
  }),
  listExternalApprovers: route('GET', '/v1/orgs/:orgId/external-approvers', {
    response: ExternalApproverList,
  }),
  getExternalApprover: route('GET', '/v1/orgs/:orgId/external-approvers/:endpointId', {
    response: ExternalApprover,
  }),
  deleteExternalApprover: route('DELETE', '/v1/orgs/:orgId/external-approvers/:endpointId', {
    response: Ok,
  }),

  // Audit log (modules/audit)
  listAudit: route('GET', '/v1/orgs/:orgId/audit', { query: AuditListQuery, response: AuditPage }),
  exportAudit: route('GET', '/v1/orgs/:orgId/audit/export', { response: z.string() }),
  verifyAudit: route('GET', '/v1/orgs/:orgId/audit/verify', {
    query: AuditVerifyQuery,
    response: AuditVerificationSchema,
  }),

  // Notifications (modules/notifications). The event stream is text/event-stream: read it
  // with an EventSource or a streaming fetch (packages/server NOTIFICATIONS.md), not `call`.
  events: route('GET', '/v1/orgs/:orgId/events', { response: z.string() }),
  pendingApprovals: route('GET', '/v1/me/pending-approvals', { response: PendingApprovals }),
  createWebhook: route('POST', '/v1/orgs/:orgId/webhooks', {
    body: WebhookCreateBody,
    response: WebhookCreated,
  }),
  listWebhooks: route('GET', '/v1/orgs/:orgId/webhooks', { response: WebhookList }),
  deleteWebhook: route('DELETE', '/v1/orgs/:orgId/webhooks/:webhookId', { response: Ok }),
  listWebhookDeliveries: route('GET', '/v1/orgs/:orgId/webhooks/:webhookId/deliveries', {
    response: WebhookDeliveryList,
  }),
  redeliverWebhook: route(
    'POST',
    '/v1/orgs/:orgId/webhooks/:webhookId/deliveries/:deliveryId/redeliver',
    { response: WebhookDeliverySchema },
  ),
} as const;

export type Routes = typeof routes;
