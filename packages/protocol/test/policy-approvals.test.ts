/**
 * approvalStatus (issue 6, item 4): the initiator never counts, a person counts once however
 * many groups they are in, duplicate approvals count once, sequential stages, rejections (any
 * approver, or a rejection quorum), external approvers — and, by property, that the group
 * assignment agrees with an exhaustive search.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  approvalStatus,
  externalApproverId,
  membersFromDirectory,
  resolveRequirement,
  type ApprovalRequirement,
  type ApproverDecision,
  type PolicyRule,
  type RequirementNode,
} from '../src/index.js';
import { policyOf, rule } from './policy-support.js';

const directory = [
  { id: 'ann', role: 'approver' },
  { id: 'abe', role: 'approver' },
  { id: 'ava', role: 'approver' },
  { id: 'zed', role: 'viewer' },
];
const membersOf = membersFromDirectory(directory);
const t = (minute: number) => new Date(Date.UTC(2026, 0, 14, 10, minute));
const approve = (approverId: string, minute = 0): ApproverDecision => ({
  approverId,
  decision: 'approve',
  at: t(minute),
});
const reject = (approverId: string, minute = 0): ApproverDecision => ({
  approverId,
  decision: 'reject',
  at: t(minute),
});

function requirementOf(stages: unknown[], rejection?: unknown): ApprovalRequirement {
  const action = {
    type: 'require-approvals',
    stages,
    ...(rejection === undefined ? {} : { rejection }),
  };
  const policy = policyOf([rule('r', {}, action)]);
  const requirement = resolveRequirement(policy, policy.rules[0] as PolicyRule);
  if (requirement === null) throw new Error('no requirement');
  return requirement;
}
const approvers = (requirement: RequirementNode, extra: Record<string, unknown> = {}) => ({
  type: 'approvers',
  requirement,
  ...extra,
});
const status = (
  requirement: ApprovalRequirement,
  decisions: ApproverDecision[],
  initiator: string | string[] = 'ivy',
) => approvalStatus(requirement, decisions, initiator, membersOf);

const oneTeller = requirementOf([approvers({ group: 'tellers' })]);
const tellerAndManager = requirementOf([
  approvers({ all: [{ group: 'tellers' }, { group: 'managers' }] }),
]);
const tellerThenManager = requirementOf([
  approvers({ group: 'tellers' }, { name: 'teller' }),
  approvers({ group: 'managers' }, { name: 'manager' }),
]);

describe('approval counting', () => {
  it('pending until the quorum is met, then approved', () => {
    expect(status(oneTeller, [])).toEqual({
      state: 'pending',
      stage: 0,
      stageOpenedAt: null,
      missing: ['stage 1: 1 more from Tellers'],
      counted: [],
      rejectedBy: [],
    });
    expect(status(oneTeller, [approve('zed'), approve('tom', 1)])).toEqual({
      state: 'approved',
      stage: 1,
      stageOpenedAt: t(1),
      missing: [],
      counted: [{ stage: 0, person: 'tom', groupId: 'tellers' }],
      rejectedBy: [],
    });
  });

  it('the initiator never counts, approving or rejecting — nor the owner of an initiating API key', () => {
    expect(status(oneTeller, [approve('tom')], 'tom').state).toBe('pending');
    expect(status(oneTeller, [reject('tom'), approve('tina', 1)], 'tom').state).toBe('approved');
    expect(status(oneTeller, [approve('tom')], ['key-1', 'tom']).state).toBe('pending');
  });

  it('duplicate approvals by one person count once', () => {
    const twoApprovers = requirementOf([approvers({ group: 'approvers' })]);
    const twice = status(twoApprovers, [approve('ann', 1), approve('ann', 2), approve('ann', 2)]);
    expect(twice).toMatchObject({ state: 'pending', missing: ['stage 1: 1 more from Approvers'] });
    expect(
      status(twoApprovers, [approve('ann', 1), approve('ann', 2), approve('abe', 3)]).state,
    ).toBe('approved');
  });

  it('a person in two groups counts for one of them only', () => {
    expect(status(tellerAndManager, [approve('both')])).toMatchObject({
      state: 'pending',
      missing: [
        'stage 1: 1 more from Managers (both already counted for another group; a person counts once)',
      ],
    });
    // With tom, "both" moves to the managers so tom can be the teller.
    expect(status(tellerAndManager, [approve('both', 1), approve('tom', 2)])).toMatchObject({
      state: 'approved',
      counted: [
        { stage: 0, person: 'tom', groupId: 'tellers' },
        { stage: 0, person: 'both', groupId: 'managers' },
      ],
    });
  });

  it('a group quorum above one needs that many distinct people', () => {
    const twoManagers = requirementOf([approvers({ group: 'managers', quorum: 2 })]);
    expect(status(twoManagers, [approve('mia'), approve('mia', 1)]).state).toBe('pending');
    expect(status(twoManagers, [approve('mia'), approve('both', 1)]).state).toBe('approved');
  });

  it('an OR tree is satisfied by either branch and says so while pending', () => {
    const either = requirementOf([
      approvers({
        any: [
          { group: 'managers', quorum: 2 },
          { all: [{ group: 'tellers' }, { group: 'approvers' }] },
        ],
      }),
    ]);
    expect(status(either, [approve('mia')]).missing).toEqual([
      'stage 1: 1 more from Managers (any of: 2 of Managers OR (1 of Tellers AND 2 of Approvers))',
    ]);
    expect(status(either, [approve('tom'), approve('ann'), approve('abe')]).state).toBe('approved');
    expect(status(either, [approve('mia'), approve('max')]).state).toBe('approved');
  });
});

describe('sequential stages', () => {
  it('a teller, then a manager: an approval given before its stage opened does not count', () => {
    const early = [approve('mia', 1)];
    expect(status(tellerThenManager, early)).toMatchObject({
      state: 'pending',
      stage: 0,
      missing: ['teller: 1 more from Tellers', 'then manager: 1 of Managers'],
    });
    const tellerDone = [...early, approve('tom', 2)];
    expect(status(tellerThenManager, tellerDone)).toMatchObject({
      state: 'pending',
      stage: 1,
      stageOpenedAt: t(2),
      missing: ['manager: 1 more from Managers'],
    });
    // mia approves again once her stage is open: now it counts (still once).
    expect(status(tellerThenManager, [...tellerDone, approve('mia', 3)])).toMatchObject({
      state: 'approved',
      counted: [
        { stage: 0, person: 'tom', groupId: 'tellers' },
        { stage: 1, person: 'mia', groupId: 'managers' },
      ],
    });
  });

  it('includeEarlierApprovals lets an earlier approval count for a later stage', () => {
    const lenient = requirementOf([
      approvers({ group: 'tellers' }),
      approvers({ group: 'managers' }, { includeEarlierApprovals: true }),
    ]);
    expect(status(lenient, [approve('mia', 1), approve('tom', 2)])).toMatchObject({
      state: 'approved',
      stageOpenedAt: t(2),
    });
  });

  it('one person cannot be both the teller and the manager, even across stages', () => {
    const lenient = requirementOf([
      approvers({ group: 'tellers' }),
      approvers({ group: 'managers' }, { includeEarlierApprovals: true }),
    ]);
    expect(status(tellerThenManager, [approve('both', 1), approve('both', 3)])).toMatchObject({
      state: 'pending',
      stage: 1,
    });
    expect(status(lenient, [approve('both', 1)])).toMatchObject({ state: 'pending', stage: 1 });
  });

  it('an approval at the very moment a stage opens counts for it', () => {
    expect(status(tellerThenManager, [approve('tom', 2), approve('mia', 2)]).state).toBe(
      'approved',
    );
  });

  it('an external approver step answers in its turn; its rejection always ends the request', () => {
    const checked = requirementOf(
      [
        approvers({ group: 'tellers' }),
        {
          type: 'external',
          name: 'AML',
          endpointId: 'aml',
          timeoutSeconds: 300,
          onTimeout: 'fail',
        },
      ],
      { type: 'quorum', count: 3 },
    );
    const aml = externalApproverId('aml');
    expect(status(checked, [approve('tom', 1)])).toMatchObject({
      state: 'pending',
      stage: 1,
      stageOpenedAt: t(1),
      missing: ['AML: an answer from external approver aml (timeout 300 s, on timeout fail)'],
    });
    expect(status(checked, [approve(aml, 0), approve('tom', 1)]).state).toBe('pending');
    expect(status(checked, [approve('tom', 1), approve(aml, 2)]).state).toBe('approved');
    expect(status(checked, [approve('tom', 1), reject(aml, 2)])).toMatchObject({
      state: 'rejected',
      rejectedBy: [aml],
    });
  });
});

describe('rejections', () => {
  it('by default any approver’s rejection ends the request', () => {
    expect(status(tellerThenManager, [approve('tom', 1), reject('mia', 2)])).toMatchObject({
      state: 'rejected',
      stage: 1,
      missing: [],
      rejectedBy: ['mia'],
    });
  });

  it('a rejection by someone who may not approve is ignored', () => {
    expect(status(tellerThenManager, [reject('zed', 1), approve('tom', 2)]).state).toBe('pending');
  });

  it('with a rejection quorum, fewer rejections leave the request open and approvable', () => {
    const quorum = requirementOf(
      [approvers({ all: [{ group: 'tellers' }, { group: 'managers' }] })],
      { type: 'quorum', count: 2 },
    );
    expect(status(quorum, [reject('mia', 1)]).state).toBe('pending');
    expect(status(quorum, [reject('mia', 1), approve('tom', 2), approve('max', 3)]).state).toBe(
      'approved',
    );
    expect(status(quorum, [reject('mia', 1), reject('tina', 2), approve('tom', 3)])).toMatchObject({
      state: 'rejected',
      rejectedBy: ['mia', 'tina'],
    });
  });

  it('a rejection is final: approvals after it are ignored; earlier ones stand', () => {
    expect(status(oneTeller, [reject('tom', 1), approve('tom', 2)]).state).toBe('rejected');
    const quorum = requirementOf([approvers({ group: 'tellers', quorum: 2 })], {
      type: 'quorum',
      count: 2,
    });
    expect(status(quorum, [reject('tom', 1), approve('tom', 2), approve('tina', 3)]).state).toBe(
      'pending',
    );
    expect(status(quorum, [approve('tom', 1), reject('tom', 2), approve('tina', 3)]).state).toBe(
      'approved',
    );
  });

  it('a rejection after the last stage was satisfied changes nothing', () => {
    expect(status(oneTeller, [approve('tom', 1), reject('tina', 2)]).state).toBe('approved');
    expect(status(oneTeller, [reject('tina', 1), approve('tom', 1)]).state).toBe('rejected');
  });
});

describe('assignment against exhaustive search', () => {
  const PEOPLE = ['p0', 'p1', 'p2', 'p3'];
  const GROUP_IDS = ['tellers', 'managers', 'approvers'];
  const leaf = fc.record({
    group: fc.constantFrom(...GROUP_IDS),
    quorum: fc.integer({ min: 1, max: 2 }),
  });
  const tree: fc.Arbitrary<RequirementNode> = fc.oneof(
    leaf,
    fc.record({ all: fc.array(leaf, { minLength: 1, maxLength: 3 }) }),
    fc.record({
      any: fc.array(
        fc.oneof(leaf, fc.record({ all: fc.array(leaf, { minLength: 1, maxLength: 2 }) })),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  );

  /** Can distinct people fill every slot of some alternative? Tries every assignment. */
  function bruteForce(
    node: RequirementNode,
    approving: string[],
    members: Map<string, Set<string>>,
  ): boolean {
    const alternatives = (n: RequirementNode): { group: string; quorum: number }[][] => {
      if ('group' in n) return [[{ group: n.group, quorum: n.quorum ?? 1 }]];
      if ('any' in n) return n.any.flatMap(alternatives);
      return n.all.reduce<{ group: string; quorum: number }[][]>(
        (acc, c) => acc.flatMap((l) => alternatives(c).map((r) => [...l, ...r])),
        [[]],
      );
    };
    const fill = (slots: string[], used: Set<string>): boolean => {
      const [slot, ...rest] = slots;
      if (slot === undefined) return true;
      return approving.some(
        (p) => !used.has(p) && members.get(slot)!.has(p) && fill(rest, new Set([...used, p])),
      );
    };
    return alternatives(node).some((alt) =>
      fill(
        alt.flatMap((l) => Array<string>(l.quorum).fill(l.group)),
        new Set(),
      ),
    );
  }

  it('approvalStatus approves exactly when distinct people can fill the groups', () => {
    const membership = fc.array(fc.subarray(PEOPLE), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(
        tree,
        membership,
        fc.subarray(PEOPLE),
        fc.constantFrom(...PEOPLE),
        (node, sets, approving, initiator) => {
          const groups = GROUP_IDS.map((id, i) => ({
            id,
            name: id,
            members: { users: ['nobody', ...sets[i]!] },
            quorum: 1,
          }));
          const policy = policyOf(
            [rule('r', {}, { type: 'require-approvals', stages: [approvers(node)] })],
            { groups },
          );
          const requirement = resolveRequirement(policy, policy.rules[0]!)!;
          const decisions = approving.map((p, i) => approve(p, i));
          const result = approvalStatus(
            requirement,
            decisions,
            initiator,
            (g) => g.members.users ?? [],
          );
          const members = new Map(groups.map((g) => [g.id, new Set(g.members.users)]));
          const expected = bruteForce(
            node,
            approving.filter((p) => p !== initiator),
            members,
          );
          expect(result.state).toBe(expected ? 'approved' : 'pending');
          // Every counted person approved, is no initiator, is counted once and is in their group.
          const persons = result.counted.map((c) => c.person);
          expect(new Set(persons).size).toBe(persons.length);
          for (const c of result.counted) {
            expect(approving).toContain(c.person);
            expect(c.person).not.toBe(initiator);
            expect(members.get(c.groupId)!.has(c.person)).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
