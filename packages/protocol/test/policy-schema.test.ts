import { describe, expect, it } from 'vitest';
import {
  Intent,
  PolicyDocument,
  addressKey,
  requirementAlternativeCount,
  type RequirementNode,
} from '../src/index.js';
import { GROUPS, intent, policyOf, rule } from './policy-support.js';

function issuesOf(result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) {
  return (result.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('Intent schema', () => {
  it('accepts a transfer and keeps amounts beyond 2^64 as exact decimal strings', () => {
    const big = (2n ** 200n + 1n).toString();
    expect(intent({ amount: big }).amount).toBe(big);
  });

  it.each([
    ['unknown field', { extra: 1 }, ''],
    ['fractional amount', { amount: '1.5' }, 'amount'],
    ['negative amount', { amount: '-1' }, 'amount'],
    ['79-digit amount', { amount: '1'.repeat(79) }, 'amount'],
    ['upper-case chain', { chain: 'Ethereum' }, 'chain'],
    ['no digests', { digests: [] }, 'digests'],
    ['upper-case digest', { digests: ['AB'] }, 'digests.0'],
    ['transfer without destination', { destination: undefined }, 'destination'],
    ['unknown kind', { kind: 'swap' }, 'kind'],
    ['unknown source field', { source: { vaultId: 'v', owner: 'x' } }, 'source'],
  ])('refuses %s', (_name, overrides, path) => {
    const result = Intent.safeParse({ ...intent(), ...overrides });
    expect(result.success).toBe(false);
    expect(issuesOf(result).some((i) => i.startsWith(`${path}:`))).toBe(true);
  });

  it('a message has amount "0" and no destination', () => {
    const message = { ...intent(), kind: 'message', amount: '0', destination: undefined };
    expect(Intent.safeParse(message).success).toBe(true);
    expect(issuesOf(Intent.safeParse({ ...message, amount: '5' }))).toEqual([
      'amount: a message moves nothing: "0"',
    ]);
    expect(issuesOf(Intent.safeParse({ ...message, destination: { address: 'x' } }))).toEqual([
      'destination: a message has none',
    ]);
  });
});

describe('PolicyDocument schema', () => {
  it('refuses unknown fields at every level', () => {
    const base = policyOf([rule('r1', {})]);
    const cases: unknown[] = [
      { ...base, extra: true },
      { ...base, rules: [{ ...base.rules[0], extra: true }] },
      { ...base, rules: [{ ...base.rules[0], conditions: { amountt: { max: '1' } } }] },
      { ...base, rules: [{ ...base.rules[0], action: { type: 'allow', quorum: 2 } }] },
      { ...base, groups: [{ ...GROUPS[0], extra: 1 }] },
    ];
    for (const doc of cases) expect(PolicyDocument.safeParse(doc).success).toBe(false);
  });

  it('refuses duplicate ids, unknown groups, bad windows and min above max', () => {
    const approvals = (group: string) => ({
      type: 'require-approvals',
      stages: [{ type: 'approvers', requirement: { group } }],
    });
    const attempts: [unknown[], string][] = [
      [[rule('r1', {}), rule('r1', {})], 'rules.1.id: duplicate rule id'],
      [
        [rule('r1', {}, approvals('auditors'))],
        'rules.0.action.stages.0.requirement: names group "auditors", which the policy does not define',
      ],
      [
        [rule('r1', { amount: { min: '5', max: '4' } })],
        'rules.0.conditions.amount: min must not exceed max',
      ],
      [
        [rule('r1', { timeWindow: { timeZone: 'Mars/Olympus', days: ['mon'] } })],
        'rules.0.conditions.timeWindow.timeZone: must be an IANA time zone',
      ],
      [
        [rule('r1', { timeWindow: { timeZone: 'UTC', ranges: [{ from: '09:00', to: '09:00' }] } })],
        'rules.0.conditions.timeWindow.ranges.0: from and to must differ (leave ranges out for the whole day)',
      ],
      [
        [rule('r1', { chains: ['ethereum', 'ethereum'] })],
        'rules.0.conditions.chains: must not repeat a value',
      ],
    ];
    for (const [rules, issue] of attempts) {
      const doc = { version: 1, policyVersion: 1, rules, groups: GROUPS };
      expect(issuesOf(PolicyDocument.safeParse(doc))).toContain(issue);
    }
  });

  it('refuses the same address twice on one chain, whatever its case', () => {
    const doc = {
      version: 1,
      policyVersion: 1,
      rules: [],
      groups: [],
      addressBook: [
        {
          id: 'a',
          label: 'A',
          chain: 'ethereum',
          address: '0xAbCd000000000000000000000000000000000000',
        },
        {
          id: 'b',
          label: 'B',
          chain: 'ethereum',
          address: '0xabcd000000000000000000000000000000000000',
        },
        {
          id: 'c',
          label: 'C',
          chain: 'vechain',
          address: '0xabcd000000000000000000000000000000000000',
        },
      ],
    };
    expect(issuesOf(PolicyDocument.safeParse(doc))).toEqual([
      'addressBook.1.address: duplicate address on this chain',
    ]);
  });

  it('bounds the requirement tree: depth and number of alternatives', () => {
    const leaf = (group: string): RequirementNode => ({ group });
    const deep: RequirementNode = {
      all: [{ any: [{ all: [{ any: [{ all: [leaf('tellers')] }] }] }] }],
    };
    const wide: RequirementNode = {
      all: [0, 1, 2].map(() => ({
        any: [
          leaf('tellers'),
          leaf('managers'),
          leaf('approvers'),
          leaf('tellers'),
          leaf('managers'),
        ],
      })),
    };
    expect(requirementAlternativeCount(wide, 64)).toBe(65); // 125 alternatives, capped at 64 + 1
    for (const [tree, message] of [
      [deep, 'must be at most 4 levels deep'],
      [wide, 'must expand to at most 64 alternative sets of groups'],
    ] as const) {
      const action = {
        type: 'require-approvals',
        stages: [{ type: 'approvers', requirement: tree }],
      };
      const doc = { version: 1, policyVersion: 1, rules: [rule('r', {}, action)], groups: GROUPS };
      expect(issuesOf(PolicyDocument.safeParse(doc))).toEqual([
        `rules.0.action.stages.0.requirement: ${message}`,
      ]);
    }
  });
});

describe('addressKey', () => {
  it('compares EIP-55 hex and single-case bech32 without case, base58 exactly', () => {
    expect(addressKey('0xAbCDEF0000000000000000000000000000000001')).toBe(
      '0xabcdef0000000000000000000000000000000001',
    );
    expect(addressKey('BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ')).toBe(
      'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
    );
    expect(addressKey('bc1Qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq')).toBe(
      'bc1Qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
    );
    expect(addressKey('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2')).toBe(
      '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2',
    );
  });
});
