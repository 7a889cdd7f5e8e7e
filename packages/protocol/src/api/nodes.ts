/**
 * Signing nodes and the coordinator (issue 5, item 5). A node is enrolled in an organisation
 * by its public identity — the JSON `coffer node identity` prints: `{ nodeId, signingKey,
 * encryptionKey }`, where `nodeId` is derived from both keys (packages/node
 * identity/node-identity.ts `nodeIdOf`). The server's own coordinator identity has the same
 * shape and is public: node operators put it in their config as `enrolment.coordinator`
 * (packages/node CONFIG.md), with the relay URL and server id it returns.
 */
import { z } from 'zod';
import { OrgId, Timestamp } from './common.js';

/** A node id: 128 bits of SHA-256 over both public keys, lowercase hex. */
export const NodeId = z.string().regex(/^[0-9a-f]{32}$/, 'must be a node id (32 lowercase hex)');

const PublicKeyHex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

/** A node's (or the coordinator's) public identity, as `coffer node identity` prints it. */
export const NodePublicIdentity = z
  .strictObject({
    nodeId: NodeId,
    /** Ed25519 public key (RFC 8032), hex. */
    signingKey: PublicKeyHex,
    /** X25519 public key (RFC 7748), hex. */
    encryptionKey: PublicKeyHex,
  })
  .meta({ id: 'NodePublicIdentity' });
export type NodePublicIdentity = z.infer<typeof NodePublicIdentity>;

export const NodeName = z.string().trim().min(1).max(100);

export const EnrolNodeRequest = z.strictObject({
  name: NodeName,
  identity: NodePublicIdentity,
});
export type EnrolNodeRequest = z.infer<typeof EnrolNodeRequest>;

export const NODE_CONNECTION_STATUSES = ['connected', 'disconnected'] as const;
export const NodeConnectionStatus = z.enum(NODE_CONNECTION_STATUSES);

export const SigningNodeInfo = z
  .object({
    nodeId: NodeId,
    orgId: OrgId,
    name: z.string(),
    identity: NodePublicIdentity,
    /** Whether the node holds an authenticated connection to the relay right now. */
    status: NodeConnectionStatus,
    /** When the node last connected or disconnected; null if it never connected. */
    lastContactAt: Timestamp.nullable(),
    /**
     * The monitor's judgement: unhealthy while disconnected from every replica for minutes, or
     * blamed for several failed signing requests in a day; `since` = when it last changed.
     */
    health: z.object({
      state: z.enum(['healthy', 'unhealthy']),
      reason: z.string().nullable(),
      since: Timestamp.nullable(),
    }),
    enrolledAt: Timestamp,
  })
  .meta({ id: 'SigningNode' });
export type SigningNodeInfo = z.infer<typeof SigningNodeInfo>;

export const SigningNodeList = z.object({ nodes: z.array(SigningNodeInfo) });
export type SigningNodeList = z.infer<typeof SigningNodeList>;

export const NodeParams = z.object({ orgId: OrgId, nodeId: NodeId });

export const RemoveNodeQuery = z.object({
  /** Remove the node even though a vault uses it (that vault then signs without it). */
  force: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});

/** GET /v1/coordinator: public data node operators configure as `enrolment.coordinator`. */
export const CoordinatorInfo = z
  .object({
    nodeId: NodeId,
    signingKey: PublicKeyHex,
    encryptionKey: PublicKeyHex,
    /** Where nodes connect (outbound WebSocket): the node config's `relay.url`. */
    relayUrl: z.string(),
    /** The relay's server id, bound into its challenges: the node config's `relay.serverId`. */
    serverId: z.string(),
  })
  .meta({ id: 'CoordinatorInfo' });
export type CoordinatorInfo = z.infer<typeof CoordinatorInfo>;
