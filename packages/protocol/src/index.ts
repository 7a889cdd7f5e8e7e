/**
 * @coffer/protocol: the HTTP API's wire schemas (zod), shared by the server (validation,
 * OpenAPI), the SDK and CLI (typed calls) and the portal. Types are `z.infer` of these
 * schemas and are never written a second time (CONVENTIONS.md, habit 5).
 */
export * from './api/common.js';
export * from './api/errors.js';
export * from './api/auth.js';
export * from './api/orgs.js';
export * from './api/nodes.js';
export * from './api/vaults.js';
export * from './api/signing.js';
export * from './api/policy.js';
export * from './canonical-json.js';
export * from './audit-chain.js';
export * from './api/audit.js';
export * from './policy/index.js';
export * from './api/notifications.js';
export * from './api/external-approvers.js';
