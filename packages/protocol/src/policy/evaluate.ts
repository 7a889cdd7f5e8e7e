/**
 * `evaluatePolicy` (issue 6, items 3 and 5): the decision for a request — block, allow or
 * require approvals — and why. Rules are tried in order and the FIRST whose conditions all
 * hold decides; when none does, the request is blocked with the reason "no rule matched"
 * (deny by default). The reasons list says, for every rule tried, why it did not match, then
 * why the deciding rule did: the dry-run answer. Pure: the time and the velocity history are
 * inputs, so a signing node that evaluates the same policy, request, time and history reaches
 * the same decision as the server.
 */
import {
  describeStages,
  resolveRequirement,
  type ApprovalRequirement,
} from './approval-requirement.js';
import type { PolicyDocument, PolicyRule } from './document.js';
import type { PolicyRequest } from './intent.js';
import { checkConditions } from './match-conditions.js';
import type { VelocityHistory } from './velocity.js';

export const NO_RULE_MATCHED = 'no rule matched';

export interface EvaluationContext {
  /** The moment the request is judged at: its creation time, recorded with the request. */
  readonly now: Date;
  readonly velocity: VelocityHistory;
}

export type PolicyOutcome = 'block' | 'allow' | 'require-approvals';

export interface PolicyDecision {
  readonly outcome: PolicyOutcome;
  readonly policyVersion: number;
  /** The deciding rule; null when no rule matched. */
  readonly ruleId: string | null;
  readonly ruleName: string | null;
  readonly reasons: readonly string[];
  /** For `require-approvals`: what approvalStatus counts against; otherwise null. */
  readonly requirement: ApprovalRequirement | null;
}

const ruleLabel = (rule: PolicyRule, index: number) =>
  `rule #${index + 1} "${rule.name}" (${rule.id})`;

/**
 * Judges `request` under `policy`. Both must already be validated (PolicyDocument,
 * PolicyRequest): the engine trusts their shapes and bounds.
 */
export function evaluatePolicy(
  policy: PolicyDocument,
  request: PolicyRequest,
  context: EvaluationContext,
): PolicyDecision {
  const reasons: string[] = [];
  for (const [index, rule] of policy.rules.entries()) {
    const checks = checkConditions(rule.conditions, request, {
      policy,
      ruleId: rule.id,
      now: context.now,
      velocity: context.velocity,
    });
    const failed = checks.filter((c) => !c.holds);
    if (failed.length > 0) {
      reasons.push(
        `${ruleLabel(rule, index)} did not match: ${failed.map((c) => c.reason).join('; ')}`,
      );
      continue;
    }
    const why =
      checks.length === 0 ? 'it has no conditions' : checks.map((c) => c.reason).join('; ');
    reasons.push(`${ruleLabel(rule, index)} matched: ${why}`);
    const requirement = resolveRequirement(policy, rule);
    reasons.push(
      requirement === null
        ? `action: ${rule.action.type}`
        : `action: require approvals: ${describeStages(requirement)}; ` +
            (requirement.rejection.type === 'any'
              ? 'any approver’s rejection ends the request'
              : `${requirement.rejection.count} rejections end the request`),
    );
    return {
      outcome: rule.action.type,
      policyVersion: policy.policyVersion,
      ruleId: rule.id,
      ruleName: rule.name,
      reasons,
      requirement,
    };
  }
  reasons.push(NO_RULE_MATCHED);
  return {
    outcome: 'block',
    policyVersion: policy.policyVersion,
    ruleId: null,
    ruleName: null,
    reasons,
    requirement: null,
  };
}
