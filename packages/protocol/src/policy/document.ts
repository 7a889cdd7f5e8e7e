/**
 * The policy document (issue 6, item 3): ordered rules — the FIRST rule whose conditions all
 * hold decides, and a request no rule matches is blocked (deny by default) — the approver
 * groups the rules refer to, and the organisation's address book. A published version is
 * signed by the admin quorum and checked by every signing node (ARCHITECTURE.md "The trust
 * chain for approvals", step 2), so the document is strict: unknown fields, duplicate ids and
 * references to groups that do not exist are refused here rather than discovered at run time.
 */
import { z } from 'zod';
import { RuleConditions } from './conditions.js';
import { ChainAddress, ChainName, PolicyId, addressKey } from './identifiers.js';
import { ApproverGroup, PolicyAction, type RequirementNode } from './requirements.js';

export const POLICY_DOCUMENT_VERSION = 1;
export const MAX_RULES = 256;
export const MAX_GROUPS = 64;
export const MAX_ADDRESS_BOOK_ENTRIES = 10_000;

export const AddressBookEntry = z.strictObject({
  id: PolicyId,
  /** For people: "Treasury cold wallet", "Exchange deposit (Kraken)". */
  label: z.string().min(1).max(128),
  chain: ChainName,
  address: ChainAddress,
  /** Tags a destination condition can select by, e.g. `exchange`, `payroll`. */
  tags: z.array(PolicyId).max(32).optional(),
});
export type AddressBookEntry = z.infer<typeof AddressBookEntry>;

export const PolicyRule = z.strictObject({
  id: PolicyId,
  name: z.string().min(1).max(128),
  description: z.string().max(1024).optional(),
  /** Every condition present must hold; `{}` matches every request. */
  conditions: RuleConditions,
  action: PolicyAction,
});
export type PolicyRule = z.infer<typeof PolicyRule>;

function groupReferences(node: RequirementNode): string[] {
  if ('group' in node) return [node.group];
  return ('all' in node ? node.all : node.any).flatMap(groupReferences);
}

function addDuplicateIssues(
  ctx: z.RefinementCtx,
  keys: readonly string[],
  path: (index: number) => (string | number)[],
  what: string,
): void {
  const seen = new Set<string>();
  keys.forEach((key, index) => {
    if (seen.has(key))
      ctx.addIssue({ code: 'custom', path: path(index), message: `duplicate ${what}` });
    seen.add(key);
  });
}

export const PolicyDocument = z
  .strictObject({
    version: z.literal(POLICY_DOCUMENT_VERSION),
    /** Increases by one with every published change; approvals name the version they judged. */
    policyVersion: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
    /** Evaluated in order; the first match decides. */
    rules: z.array(PolicyRule).max(MAX_RULES),
    groups: z.array(ApproverGroup).max(MAX_GROUPS),
    addressBook: z.array(AddressBookEntry).max(MAX_ADDRESS_BOOK_ENTRIES).optional(),
  })
  .superRefine((policy, ctx) => {
    addDuplicateIssues(
      ctx,
      policy.rules.map((r) => r.id),
      (i) => ['rules', i, 'id'],
      'rule id',
    );
    addDuplicateIssues(
      ctx,
      policy.groups.map((g) => g.id),
      (i) => ['groups', i, 'id'],
      'group id',
    );
    const book = policy.addressBook ?? [];
    addDuplicateIssues(
      ctx,
      book.map((e) => e.id),
      (i) => ['addressBook', i, 'id'],
      'entry id',
    );
    addDuplicateIssues(
      ctx,
      book.map((e) => `${e.chain} ${addressKey(e.address)}`),
      (i) => ['addressBook', i, 'address'],
      'address on this chain',
    );
    const groupIds = new Set(policy.groups.map((g) => g.id));
    policy.rules.forEach((rule, ruleIndex) => {
      if (rule.action.type !== 'require-approvals') return;
      rule.action.stages.forEach((stage, stageIndex) => {
        if (stage.type !== 'approvers') return;
        for (const group of groupReferences(stage.requirement)) {
          if (!groupIds.has(group)) {
            ctx.addIssue({
              code: 'custom',
              path: ['rules', ruleIndex, 'action', 'stages', stageIndex, 'requirement'],
              message: `names group "${group}", which the policy does not define`,
            });
          }
        }
      });
    });
  });
export type PolicyDocument = z.infer<typeof PolicyDocument>;
