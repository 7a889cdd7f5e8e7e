/**
 * What a rule does when it matches (issue 6, items 3, 4 and 7): block, allow, or require
 * approvals. Approvals are asked for in sequential stages ("a teller, then a manager"); a
 * stage is either a tree of approver groups combined by `all` (AND) and `any` (OR), each group
 * with a quorum, or an external approver (an AML/KYC endpoint answering approve/reject within
 * a timeout). The rejection rule says when rejections end the request. Counting rules live in
 * approval-status.ts; POLICY.md "Actions" and "Approval counting" describe both.
 */
import { z } from 'zod';
import { Role } from '../api/common.js';
import { PolicyId } from './identifiers.js';

/** Bounds that keep approval counting polynomial and small (approval-assignment.ts). */
export const MAX_QUORUM = 64;
export const MAX_TREE_DEPTH = 4;
export const MAX_TREE_CHILDREN = 16;
/** Most alternatives (sets of groups that together satisfy a stage) a stage's tree may expand to. */
export const MAX_STAGE_ALTERNATIVES = 64;
export const MAX_STAGES = 8;

const Quorum = z.int().min(1).max(MAX_QUORUM);

/** People who may approve: listed users (or API keys) and everyone holding a listed role. */
export const ApproverGroup = z.strictObject({
  id: PolicyId,
  name: z.string().min(1).max(128),
  members: z
    .strictObject({
      users: z.array(PolicyId).min(1).max(1000).optional(),
      roles: z.array(Role).min(1).max(6).optional(),
    })
    .refine((m) => m.users !== undefined || m.roles !== undefined, 'name users, roles or both'),
  /** How many distinct members must approve. */
  quorum: Quorum,
});
export type ApproverGroup = z.infer<typeof ApproverGroup>;

/**
 * A requirement tree. A leaf names a group (optionally overriding its quorum for this rule);
 * `all` needs every child, `any` at least one. Written out by hand because zod cannot infer a
 * recursive type; the schema below is checked against it.
 */
export type RequirementNode =
  | { group: string; quorum?: number | undefined }
  | { all: RequirementNode[] }
  | { any: RequirementNode[] };

export const RequirementNode: z.ZodType<RequirementNode> = z.lazy(() =>
  z.union([
    z.strictObject({ group: PolicyId, quorum: Quorum.optional() }),
    z.strictObject({ all: z.array(RequirementNode).min(1).max(MAX_TREE_CHILDREN) }),
    z.strictObject({ any: z.array(RequirementNode).min(1).max(MAX_TREE_CHILDREN) }),
  ]),
);

/** Depth of a tree (a leaf has depth 1). */
export function requirementDepth(node: RequirementNode): number {
  if ('group' in node) return 1;
  const children = 'all' in node ? node.all : node.any;
  return 1 + Math.max(...children.map(requirementDepth));
}

/**
 * How many alternatives (disjunctive normal form terms) the tree expands to, capped just above
 * `cap` so a hostile tree cannot make this count itself expensive.
 */
export function requirementAlternativeCount(node: RequirementNode, cap: number): number {
  if ('group' in node) return 1;
  if ('any' in node) {
    return Math.min(
      cap + 1,
      node.any.reduce((n, c) => n + requirementAlternativeCount(c, cap), 0),
    );
  }
  return node.all.reduce((n, c) => Math.min(cap + 1, n * requirementAlternativeCount(c, cap)), 1);
}

export const ApproversStage = z
  .strictObject({
    type: z.literal('approvers'),
    name: z.string().min(1).max(128).optional(),
    requirement: RequirementNode,
    /**
     * Default false: only approvals given while this stage is open count for it. True: an
     * approval given earlier also counts, if its giver was not counted for an earlier stage.
     */
    includeEarlierApprovals: z.boolean().optional(),
  })
  .superRefine((stage, ctx) => {
    if (requirementDepth(stage.requirement) > MAX_TREE_DEPTH) {
      ctx.addIssue({
        code: 'custom',
        path: ['requirement'],
        message: `must be at most ${MAX_TREE_DEPTH} levels deep`,
      });
    } else if (
      requirementAlternativeCount(stage.requirement, MAX_STAGE_ALTERNATIVES) >
      MAX_STAGE_ALTERNATIVES
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['requirement'],
        message: `must expand to at most ${MAX_STAGE_ALTERNATIVES} alternative sets of groups`,
      });
    }
  });
export type ApproversStage = z.infer<typeof ApproversStage>;

/**
 * An external approver (issue 6, item 7): the server calls endpoint `endpointId` (configured
 * elsewhere with its URL and key) when this stage opens; its answer is recorded as a decision
 * by approver `external:<endpointId>`. `onTimeout`: `fail` rejects the request when no answer
 * came within `timeoutSeconds`; `retry` calls again, and the stage stays open.
 */
export const ExternalApproverStage = z.strictObject({
  type: z.literal('external'),
  name: z.string().min(1).max(128).optional(),
  endpointId: PolicyId,
  timeoutSeconds: z
    .int()
    .min(1)
    .max(7 * 24 * 3600),
  onTimeout: z.enum(['fail', 'retry']),
});
export type ExternalApproverStage = z.infer<typeof ExternalApproverStage>;

export const ApprovalStage = z.discriminatedUnion('type', [ApproversStage, ExternalApproverStage]);
export type ApprovalStage = z.infer<typeof ApprovalStage>;

/**
 * `any` (the default): one rejection by anyone who may approve the request ends it.
 * `quorum`: only `count` distinct such rejections end it.
 */
export const RejectionRule = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('any') }),
  z.strictObject({ type: z.literal('quorum'), count: Quorum }),
]);
export type RejectionRule = z.infer<typeof RejectionRule>;

export const PolicyAction = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('block') }),
  z.strictObject({ type: z.literal('allow') }),
  z.strictObject({
    type: z.literal('require-approvals'),
    stages: z.array(ApprovalStage).min(1).max(MAX_STAGES),
    rejection: RejectionRule.optional(),
  }),
]);
export type PolicyAction = z.infer<typeof PolicyAction>;
