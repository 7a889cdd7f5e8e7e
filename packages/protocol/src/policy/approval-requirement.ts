/**
 * The approval requirement of a matched rule with its group references resolved against the
 * policy (issue 6, item 3): what `evaluatePolicy` hands out for a `require-approvals` decision
 * and what `approvalStatus` counts approvals against. Groups are copied in with the quorum the
 * rule asks for, so the requirement stands on its own once the decision is made.
 */
import type { PolicyDocument, PolicyRule } from './document.js';
import type {
  ApproverGroup,
  ExternalApproverStage,
  RejectionRule,
  RequirementNode,
} from './requirements.js';

export interface ResolvedGroup {
  readonly group: ApproverGroup;
  /** The quorum this rule asks of the group (its own, unless the rule overrides it). */
  readonly quorum: number;
}

export type ResolvedRequirementNode =
  | ResolvedGroup
  | { readonly all: readonly ResolvedRequirementNode[] }
  | { readonly any: readonly ResolvedRequirementNode[] };

export type ResolvedStage =
  | {
      readonly type: 'approvers';
      readonly name: string;
      readonly requirement: ResolvedRequirementNode;
      readonly includeEarlierApprovals: boolean;
    }
  | (Omit<ExternalApproverStage, 'name'> & { readonly name: string });

export interface ApprovalRequirement {
  readonly policyVersion: number;
  readonly ruleId: string;
  readonly stages: readonly ResolvedStage[];
  readonly rejection: RejectionRule;
}

function resolveNode(
  node: RequirementNode,
  groups: ReadonlyMap<string, ApproverGroup>,
): ResolvedRequirementNode {
  if ('group' in node) {
    const group = groups.get(node.group);
    // PolicyDocument refuses a reference to a group it does not define.
    if (group === undefined) throw new Error(`policy has no group "${node.group}"`);
    return { group, quorum: node.quorum ?? group.quorum };
  }
  if ('all' in node) return { all: node.all.map((c) => resolveNode(c, groups)) };
  return { any: node.any.map((c) => resolveNode(c, groups)) };
}

/** The rule's requirement, or null when its action is not `require-approvals`. */
export function resolveRequirement(
  policy: PolicyDocument,
  rule: PolicyRule,
): ApprovalRequirement | null {
  if (rule.action.type !== 'require-approvals') return null;
  const groups = new Map(policy.groups.map((g) => [g.id, g]));
  const stages = rule.action.stages.map((stage, index): ResolvedStage => {
    const name = stage.name ?? `stage ${index + 1}`;
    if (stage.type === 'external') return { ...stage, name };
    return {
      type: 'approvers',
      name,
      requirement: resolveNode(stage.requirement, groups),
      includeEarlierApprovals: stage.includeEarlierApprovals ?? false,
    };
  });
  return {
    policyVersion: policy.policyVersion,
    ruleId: rule.id,
    stages,
    rejection: rule.action.rejection ?? { type: 'any' },
  };
}

/** "1 of Tellers AND (2 of Managers OR 1 of Directors)". */
export function describeRequirement(node: ResolvedRequirementNode): string {
  if ('group' in node) return `${node.quorum} of ${node.group.name}`;
  const [children, joiner] = 'all' in node ? [node.all, ' AND '] : [node.any, ' OR '];
  const parts = children.map((c) =>
    'group' in c ? describeRequirement(c) : `(${describeRequirement(c)})`,
  );
  return parts.join(joiner);
}

/** One line per stage: "stage 1 (Tellers): 1 of Tellers, then stage 2 …". */
export function describeStages(requirement: ApprovalRequirement): string {
  return requirement.stages
    .map((stage) =>
      stage.type === 'approvers'
        ? `${stage.name}: ${describeRequirement(stage.requirement)}`
        : `${stage.name}: external approver ${stage.endpointId} (timeout ${stage.timeoutSeconds} s, on timeout ${stage.onTimeout})`,
    )
    .join(', then ');
}
