/**
 * Signing-node routes (issue 5, item 5): the coordinator's public identity, and per
 * organisation the enrolment of nodes by their public identity, their connection status and
 * last contact, and their removal. Enrolling a node puts it on the relay's allow-list; removing
 * it from its last organisation takes it off and closes its connection. A node in use by a
 * vault is removed only with `?force=true` (the vault then signs with its other nodes, while
 * its structure still allows).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import {
  ApiErrorBody,
  CoordinatorInfo,
  EnrolNodeRequest,
  NodeParams,
  OrgParams,
  Ok,
  RemoveNodeQuery,
  SigningNodeInfo,
  SigningNodeList,
  type NodePublicIdentity,
} from '@coffer/protocol';
import { nodeIdOf } from '@coffer/node';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app-context.js';
import { ServerError, conflict, notFound } from '../../http/server-error.js';
import { appendAudit, auditActorOf } from '../audit/audit-store.js';
import { actorId } from '../auth/actor.js';
import { ADMIN_ROLES, EVERY_ROLE, requireOrgRole } from '../orgs/access.js';
import { deleteNode, findNode, insertNode, listNodes, vaultsUsingNode } from './store.js';
import type { NodeRecord } from './store.js';
import { errorResponses } from '../../http/error-responses.js';

const errors = errorResponses(400, 401, 403, 404, 409);

/** The node id must be the one derived from both keys, and the signing key a curve point. */
function checkIdentity(identity: NodePublicIdentity): void {
  const invalid = (path: string, message: string) =>
    new ServerError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);
  try {
    ed25519.Point.fromHex(identity.signingKey);
  } catch {
    throw invalid('body.identity.signingKey', 'is not an Ed25519 public key');
  }
  let derived: string;
  try {
    derived = nodeIdOf(hexToBytes(identity.signingKey), hexToBytes(identity.encryptionKey));
  } catch {
    throw invalid('body.identity', 'holds a malformed public key');
  }
  if (derived !== identity.nodeId) {
    throw invalid('body.identity.nodeId', 'does not match the keys (it is derived from them)');
  }
}

export const nodesRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db } = ctx;
  const view = (node: NodeRecord): SigningNodeInfo => ({
    nodeId: node.nodeId,
    orgId: node.orgId,
    name: node.name,
    identity: node.identity,
    status: ctx.coordinator?.isConnected(node.nodeId) ? 'connected' : 'disconnected',
    lastContactAt: node.lastContactAt?.toISOString() ?? null,
    health: {
      state: node.health,
      reason: node.healthReason,
      since: node.healthChangedAt?.toISOString() ?? null,
    },
    enrolledAt: node.enrolledAt.toISOString(),
  });

  app.get(
    '/v1/coordinator',
    {
      schema: {
        tags: ['nodes'],
        summary: "The coordinator's public identity and relay (a node's enrolment.coordinator)",
        response: { 200: CoordinatorInfo, 503: ApiErrorBody },
      },
    },
    async () => {
      const coordinator = ctx.coordinator;
      if (!coordinator) throw new ServerError('UNAVAILABLE', 'the coordinator is not running');
      return {
        ...coordinator.identity.publicIdentity,
        relayUrl: coordinator.relayUrl,
        serverId: coordinator.serverId,
      };
    },
  );

  app.post(
    '/v1/orgs/:orgId/nodes',
    {
      schema: {
        tags: ['nodes'],
        summary: 'Enrol a signing node by its public identity (owner, admin)',
        params: OrgParams,
        body: EnrolNodeRequest,
        response: { 201: SigningNodeInfo, ...errors },
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      const { actor } = await requireOrgRole(db, request, orgId, ADMIN_ROLES);
      const { name, identity } = request.body;
      checkIdentity(identity);
      await db.transaction(async (tx) => {
        if (!(await insertNode(tx, orgId, name, identity, actorId(actor)))) {
          throw conflict('this node is already enrolled in the organisation');
        }
        await appendAudit(tx, {
          chain: orgId,
          actor: auditActorOf(actor),
          action: 'node.enrolled',
          subject: identity.nodeId,
          details: { name },
        });
      });
      ctx.coordinator?.enrol({
        nodeId: identity.nodeId,
        signingPublicKey: hexToBytes(identity.signingKey),
        encryptionPublicKey: hexToBytes(identity.encryptionKey),
      });
      const node = await findNode(db, orgId, identity.nodeId);
      return reply.status(201).send(view(node!));
    },
  );

  app.get(
    '/v1/orgs/:orgId/nodes',
    {
      schema: {
        tags: ['nodes'],
        summary: "The organisation's signing nodes, connection status and last contact",
        params: OrgParams,
        response: { 200: SigningNodeList, ...errors },
      },
    },
    async (request) => {
      await requireOrgRole(db, request, request.params.orgId, EVERY_ROLE);
      return { nodes: (await listNodes(db, request.params.orgId)).map(view) };
    },
  );

  app.get(
    '/v1/orgs/:orgId/nodes/:nodeId',
    {
      schema: {
        tags: ['nodes'],
        summary: 'One signing node',
        params: NodeParams,
        response: { 200: SigningNodeInfo, ...errors },
      },
    },
    async (request) => {
      const { orgId, nodeId } = request.params;
      await requireOrgRole(db, request, orgId, EVERY_ROLE);
      const node = await findNode(db, orgId, nodeId);
      if (!node) throw notFound('node');
      return view(node);
    },
  );

  app.delete(
    '/v1/orgs/:orgId/nodes/:nodeId',
    {
      schema: {
        tags: ['nodes'],
        summary: 'Remove a signing node (owner, admin); ?force=true even if a vault uses it',
        params: NodeParams,
        querystring: RemoveNodeQuery,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      const { orgId, nodeId } = request.params;
      const { actor } = await requireOrgRole(db, request, orgId, ADMIN_ROLES);
      const { stillEnrolledElsewhere } = await db.transaction(async (tx) => {
        if (!(await findNode(tx, orgId, nodeId))) throw notFound('node');
        const vaults = await vaultsUsingNode(tx, orgId, nodeId);
        if (vaults.length > 0 && !request.query.force) {
          throw conflict(
            `vault(s) ${vaults.map((v) => `"${v}"`).join(', ')} use this node; ` +
              'remove it anyway with ?force=true',
          );
        }
        await appendAudit(tx, {
          chain: orgId,
          actor: auditActorOf(actor),
          action: 'node.removed',
          subject: nodeId,
          details: { forced: vaults.length > 0 },
        });
        return deleteNode(tx, orgId, nodeId);
      });
      if (!stillEnrolledElsewhere) ctx.coordinator?.remove(nodeId);
      return { ok: true as const };
    },
  );
};
