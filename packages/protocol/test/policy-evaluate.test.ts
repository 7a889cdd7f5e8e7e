/**
 * evaluatePolicy (issue 6, items 3 and 5): every action, first match wins, deny by default,
 * and the dry-run reasons.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NO_RULE_MATCHED,
  PolicyDocument,
  evaluatePolicy,
  velocityHistoryOf,
} from '../src/index.js';
import { GROUPS, STRANGER, policyOf, request, rule } from './policy-support.js';

const context = { now: new Date('2026-01-14T10:30:00Z'), velocity: velocityHistoryOf([]) };

describe('evaluatePolicy actions', () => {
  it('block: the matching rule blocks, naming itself', () => {
    const decision = evaluatePolicy(
      policyOf([rule('stop', {}, { type: 'block' })]),
      request(),
      context,
    );
    expect(decision).toEqual({
      outcome: 'block',
      policyVersion: 1,
      ruleId: 'stop',
      ruleName: 'Rule stop',
      reasons: ['rule #1 "Rule stop" (stop) matched: it has no conditions', 'action: block'],
      requirement: null,
    });
  });

  it('allow: the matching rule allows', () => {
    const decision = evaluatePolicy(policyOf([rule('go', {})]), request(), context);
    expect(decision).toMatchObject({ outcome: 'allow', ruleId: 'go', requirement: null });
  });

  it('require-approvals: resolves groups and quorum overrides into the requirement', () => {
    const action = {
      type: 'require-approvals',
      stages: [
        { type: 'approvers', name: 'teller', requirement: { group: 'tellers' } },
        {
          type: 'approvers',
          requirement: {
            any: [
              { group: 'managers', quorum: 2 },
              { all: [{ group: 'approvers' }, { group: 'tellers' }] },
            ],
          },
          includeEarlierApprovals: true,
        },
        { type: 'external', endpointId: 'aml', timeoutSeconds: 300, onTimeout: 'fail' },
      ],
      rejection: { type: 'quorum', count: 2 },
    };
    const decision = evaluatePolicy(policyOf([rule('big', {}, action)]), request(), context);
    expect(decision.outcome).toBe('require-approvals');
    expect(decision.reasons[1]).toBe(
      'action: require approvals: teller: 1 of Tellers, then stage 2: 2 of Managers OR (2 of Approvers AND 1 of Tellers), ' +
        'then stage 3: external approver aml (timeout 300 s, on timeout fail); 2 rejections end the request',
    );
    expect(decision.requirement).toEqual({
      policyVersion: 1,
      ruleId: 'big',
      rejection: { type: 'quorum', count: 2 },
      stages: [
        {
          type: 'approvers',
          name: 'teller',
          requirement: { group: GROUPS[0], quorum: 1 },
          includeEarlierApprovals: false,
        },
        {
          type: 'approvers',
          name: 'stage 2',
          includeEarlierApprovals: true,
          requirement: {
            any: [
              { group: GROUPS[1], quorum: 2 },
              {
                all: [
                  { group: GROUPS[2], quorum: 2 },
                  { group: GROUPS[0], quorum: 1 },
                ],
              },
            ],
          },
        },
        {
          type: 'external',
          name: 'stage 3',
          endpointId: 'aml',
          timeoutSeconds: 300,
          onTimeout: 'fail',
        },
      ],
    });
  });

  it('require-approvals: rejection defaults to any approver', () => {
    const action = {
      type: 'require-approvals',
      stages: [{ type: 'approvers', requirement: { group: 'tellers' } }],
    };
    const decision = evaluatePolicy(policyOf([rule('r', {}, action)]), request(), context);
    expect(decision.requirement?.rejection).toEqual({ type: 'any' });
    expect(decision.reasons[1]).toBe(
      'action: require approvals: stage 1: 1 of Tellers; any approver’s rejection ends the request',
    );
  });
});

describe('rule order and default', () => {
  it('the first matching rule wins even when a later one would also match', () => {
    const policy = policyOf([
      rule('btc', { chains: ['bitcoin'] }, { type: 'block' }),
      rule('small', { amount: { max: '5000000' } }),
      rule('all', {}, { type: 'block' }),
    ]);
    const decision = evaluatePolicy(policy, request(), context);
    expect(decision.ruleId).toBe('small');
    expect(decision.reasons).toEqual([
      'rule #1 "Rule btc" (btc) did not match: chain ethereum is not one of [bitcoin]',
      'rule #2 "Rule small" (small) matched: amount 1000000 is at most 5000000',
      'action: allow',
    ]);
  });

  it('the same rules in another order decide otherwise', () => {
    const policy = policyOf([
      rule('all', {}, { type: 'block' }),
      rule('small', { amount: { max: '5000000' } }),
    ]);
    expect(evaluatePolicy(policy, request(), context)).toMatchObject({
      outcome: 'block',
      ruleId: 'all',
    });
  });

  it('denies by default: no rule matched', () => {
    const policy = policyOf([
      rule('in-book', { destination: { type: 'address-book' } }),
      rule('tiny', { amount: { max: '10' } }),
    ]);
    const decision = evaluatePolicy(
      policy,
      request({ destination: { address: STRANGER } }),
      context,
    );
    expect(decision).toEqual({
      outcome: 'block',
      policyVersion: 1,
      ruleId: null,
      ruleName: null,
      requirement: null,
      reasons: [
        `rule #1 "Rule in-book" (in-book) did not match: destination ${STRANGER} is not in the ethereum address book`,
        'rule #2 "Rule tiny" (tiny) did not match: amount 1000000 is above the maximum 10',
        NO_RULE_MATCHED,
      ],
    });
  });

  it('an empty policy blocks everything', () => {
    const empty = PolicyDocument.parse({ version: 1, policyVersion: 3, rules: [], groups: [] });
    expect(evaluatePolicy(empty, request(), context)).toMatchObject({
      outcome: 'block',
      policyVersion: 3,
      reasons: ['no rule matched'],
    });
  });

  it('compares amounts as integers up to 2^256 − 1, never as floating point', () => {
    const amount = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n });
    fc.assert(
      fc.property(amount, amount, (value, max) => {
        const policy = policyOf([rule('r', { amount: { max: max.toString() } })]);
        const decision = evaluatePolicy(policy, request({ amount: value.toString() }), context);
        return (decision.outcome === 'allow') === value <= max;
      }),
    );
    // 2^64 and 2^64 + 1 are the same double; as base units they differ.
    const policy = policyOf([rule('r', { amount: { max: (2n ** 64n).toString() } })]);
    expect(
      evaluatePolicy(policy, request({ amount: (2n ** 64n + 1n).toString() }), context).outcome,
    ).toBe('block');
  });
});
