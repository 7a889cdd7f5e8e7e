/**
 * `approvalStatus` (issue 6, item 4): where a request that requires approvals stands — pending
 * (at which stage, missing what), approved, or rejected — given the decisions recorded so far.
 * Pure: the server runs it after every decision, a signing node runs it again on the evidence
 * (ARCHITECTURE.md "The trust chain for approvals", step 3). The counting rules (POLICY.md
 * "Approval counting"):
 *
 * 1. The initiator never counts, neither approving nor rejecting.
 * 2. Duplicate approvals by one person count once. A rejection is final: approvals the person
 *    gives at or after their first rejection are ignored (those before it stand).
 * 3. A person counts once across the whole requirement, however many groups or stages they
 *    are in: filling groups is an assignment problem (approval-assignment.ts).
 * 4. Stages run in order. Stage 1 is open from the start; stage k+1 opens when stage k is
 *    satisfied, at the time of the approval that completed it. An approval counts for the
 *    stage that was open when it was given; an earlier approval by someone not counted for an
 *    earlier stage counts for a stage only if it says `includeEarlierApprovals`.
 * 5. Rejections: with rule `any`, one rejection by anyone who is a member of a group of the
 *    requirement ends the request; with `quorum`, `count` such rejections do. A rejection by an
 *    external approver always ends it. A rejection that comes after the last stage was
 *    satisfied changes nothing (the request was approved first).
 */
import {
  describeRequirement,
  type ApprovalRequirement,
  type ResolvedRequirementNode,
  type ResolvedStage,
} from './approval-requirement.js';
import { bestMatching, requirementAlternatives, type IsMember } from './approval-assignment.js';
import type { ApproverGroup } from './requirements.js';

/** A recorded decision. External approvers decide as `external:<endpointId>`. */
export interface ApproverDecision {
  readonly approverId: string;
  readonly decision: 'approve' | 'reject';
  readonly at: Date;
}

/** The ids of a group's members now: its listed users and everyone holding its roles. */
export type MembersOf = (group: ApproverGroup) => ReadonlySet<string> | readonly string[];

export interface ApprovalStatus {
  readonly state: 'pending' | 'approved' | 'rejected';
  /** Index of the stage waiting for approvals (stages.length once approved). */
  readonly stage: number;
  /**
   * When that stage opened (null: stage 1, open since the request was created); once
   * approved, when the last stage was satisfied.
   */
  readonly stageOpenedAt: Date | null;
  /** Human-readable: what the open stage, and every stage after it, still needs. */
  readonly missing: readonly string[];
  /** Who counted, per stage and group. */
  readonly counted: readonly {
    readonly stage: number;
    readonly person: string;
    readonly groupId: string;
  }[];
  /** The rejections that ended the request (empty unless rejected). */
  readonly rejectedBy: readonly string[];
}

/** Most decisions one status computation takes; a request never sees nearly this many. */
export const MAX_DECISIONS = 10_000;

export const externalApproverId = (endpointId: string) => `external:${endpointId}`;

function groupsOf(node: ResolvedRequirementNode): ApproverGroup[] {
  if ('group' in node) return [node.group];
  return ('all' in node ? node.all : node.any).flatMap(groupsOf);
}

interface PersonDecisions {
  /** Approval times, ascending, before the person's first rejection. */
  readonly approvals: number[];
  rejectedAt: number | null;
}

/** Each person's approvals and first rejection, without the initiator's decisions. */
function decisionsByPerson(decisions: readonly ApproverDecision[], initiator: ReadonlySet<string>) {
  const people = new Map<string, PersonDecisions>();
  const ordered = decisions
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.at.getTime() - b.d.at.getTime() || a.i - b.i);
  for (const { d } of ordered) {
    if (initiator.has(d.approverId)) continue;
    const person = people.get(d.approverId) ?? { approvals: [], rejectedAt: null };
    people.set(d.approverId, person);
    if (person.rejectedAt !== null) continue;
    if (d.decision === 'reject') person.rejectedAt = d.at.getTime();
    else person.approvals.push(d.at.getTime());
  }
  return people;
}

interface Candidate {
  readonly id: string;
  readonly at: number;
}

function describeStage(stage: ResolvedStage): string {
  return stage.type === 'approvers'
    ? `${stage.name}: ${describeRequirement(stage.requirement)}`
    : `${stage.name}: an answer from external approver ${stage.endpointId}`;
}

export function approvalStatus(
  requirement: ApprovalRequirement,
  decisions: readonly ApproverDecision[],
  initiator: string | readonly string[],
  membersOf: MembersOf,
): ApprovalStatus {
  if (decisions.length > MAX_DECISIONS)
    throw new RangeError(`more than ${MAX_DECISIONS} decisions`);
  const initiatorIds = new Set(typeof initiator === 'string' ? [initiator] : initiator);
  const people = decisionsByPerson(decisions, initiatorIds);

  const members = new Map<string, ReadonlySet<string>>();
  for (const stage of requirement.stages) {
    if (stage.type !== 'approvers') continue;
    for (const group of groupsOf(stage.requirement)) {
      if (!members.has(group.id)) members.set(group.id, new Set(membersOf(group)));
    }
  }
  const isMember: IsMember = (person, groupId) => members.get(groupId)?.has(person) ?? false;
  const externalIds = new Set(
    requirement.stages.flatMap((s) =>
      s.type === 'external' ? [externalApproverId(s.endpointId)] : [],
    ),
  );

  // When (if ever) the rejections reach the rule's threshold.
  const mayReject = (id: string) =>
    externalIds.has(id) || [...members.values()].some((m) => m.has(id));
  const rejections = [...people.entries()]
    .flatMap(([id, p]) =>
      p.rejectedAt !== null && mayReject(id) ? [{ id, at: p.rejectedAt }] : [],
    )
    .sort((a, b) => a.at - b.at);
  const threshold = requirement.rejection.type === 'any' ? 1 : requirement.rejection.count;
  const externalRejection = rejections.find((r) => externalIds.has(r.id));
  const decisive = externalRejection ?? rejections[threshold - 1];
  const rejectedAt = decisive?.at ?? null;
  const rejectedBy =
    rejectedAt === null ? [] : rejections.filter((r) => r.at <= rejectedAt).map((r) => r.id);

  const spent = new Set<string>();
  const counted: { stage: number; person: string; groupId: string }[] = [];
  let openedAt: number | null = null;

  for (const [index, stage] of requirement.stages.entries()) {
    const open: number | null = openedAt;
    const earlierCount = stage.type === 'approvers' && stage.includeEarlierApprovals;
    // Each unspent person once, at the time their approval counts for this stage from.
    const eligible: Candidate[] = [...people.entries()]
      .flatMap(([id, p]): Candidate[] => {
        if (spent.has(id)) return [];
        const at: number | undefined =
          open === null || earlierCount ? p.approvals[0] : p.approvals.find((t) => t >= open);
        return at === undefined ? [] : [{ id, at: Math.max(at, open ?? -Infinity) }];
      })
      .sort((a, b) => a.at - b.at);

    let completedAt: number | null = null;
    let pendingMissing: string | null = null;
    if (stage.type === 'external') {
      const answer = eligible.find((e) => e.id === externalApproverId(stage.endpointId));
      if (answer !== undefined) {
        completedAt = answer.at;
        spent.add(answer.id);
      } else {
        pendingMissing = `${stage.name}: an answer from external approver ${stage.endpointId} (timeout ${stage.timeoutSeconds} s, on timeout ${stage.onTimeout})`;
      }
    } else {
      const alternatives = requirementAlternatives(stage.requirement);
      const stageGroups = groupsOf(stage.requirement).map((g) => g.id);
      const candidates = eligible.filter((e) => stageGroups.some((g) => isMember(e.id, g)));
      const ids = candidates.map((e) => e.id);
      const full = bestMatching(alternatives, ids, isMember);
      if (full.complete) {
        // Satisfiability only grows with more people: the shortest satisfying prefix (in time
        // order) is found by binary search, and its last approval completes the stage.
        let low = 1;
        let high = ids.length;
        while (low < high) {
          const mid = (low + high) >> 1;
          if (bestMatching(alternatives, ids.slice(0, mid), isMember).complete) high = mid;
          else low = mid + 1;
        }
        const matching = bestMatching(alternatives, ids.slice(0, low), isMember);
        completedAt = (candidates[low - 1] as Candidate).at;
        for (const { person, groupId } of matching.assigned) {
          spent.add(person);
          counted.push({ stage: index, person, groupId });
        }
      } else {
        const lacking = full.alternative
          .filter((leaf, i, all) => all.findIndex((l) => l.group.id === leaf.group.id) === i)
          .flatMap((leaf) => {
            const n = full.shortfall.get(leaf.group.id) ?? 0;
            if (n === 0) return [];
            const elsewhere = full.assigned
              .filter((a) => a.groupId !== leaf.group.id && isMember(a.person, leaf.group.id))
              .map((a) => a.person);
            const note =
              elsewhere.length === 0
                ? ''
                : ` (${elsewhere.join(', ')} already counted for another group; a person counts once)`;
            return [`${n} more from ${leaf.group.name}${note}`];
          })
          .join(', ');
        const options =
          alternatives.length > 1 ? ` (any of: ${describeRequirement(stage.requirement)})` : '';
        pendingMissing = `${stage.name}: ${lacking}${options}`;
      }
    }

    if (completedAt === null || (rejectedAt !== null && rejectedAt <= completedAt)) {
      const rejected = rejectedAt !== null;
      const later = requirement.stages.slice(index + 1).map((s) => `then ${describeStage(s)}`);
      return {
        state: rejected ? 'rejected' : 'pending',
        stage: index,
        stageOpenedAt: open === null ? null : new Date(open),
        missing: rejected ? [] : [pendingMissing ?? describeStage(stage), ...later],
        counted,
        rejectedBy,
      };
    }
    openedAt = completedAt;
  }
  return {
    state: 'approved',
    stage: requirement.stages.length,
    stageOpenedAt: openedAt === null ? null : new Date(openedAt),
    missing: [],
    counted,
    rejectedBy: [],
  };
}

/**
 * `MembersOf` over a directory of principals and their roles (an organisation's memberships,
 * or a node's roster): a group's listed ids plus everyone whose role it lists.
 */
export function membersFromDirectory(
  directory: readonly { readonly id: string; readonly role: string }[],
): MembersOf {
  return (group) =>
    new Set([
      ...(group.members.users ?? []),
      ...directory
        .filter((p) => (group.members.roles as readonly string[] | undefined)?.includes(p.role))
        .map((p) => p.id),
    ]);
}
