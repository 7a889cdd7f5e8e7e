/**
 * The condition matrix (issue 6, "Tests"): every condition alone, matching and not matching,
 * with the reason the dry run gives asserted word for word.
 */
import { describe, expect, it } from 'vitest';
import {
  evaluatePolicy,
  velocityHistoryOf,
  type Initiator,
  type PolicyRequest,
  type PolicyRule,
} from '../src/index.js';
import {
  EXCHANGE,
  KNOWN,
  STRANGER,
  USDC,
  alice,
  policyOf,
  request,
  rule,
} from './policy-support.js';

// Wednesday 2026-01-14 10:30 UTC (11:30 in Berlin).
const NOW = new Date('2026-01-14T10:30:00Z');
const bot: Initiator = { kind: 'api-key', id: 'key-1', role: 'initiator' };
const big = (2n ** 64n + 5n).toString();

const history = velocityHistoryOf([
  {
    at: new Date('2026-01-14T09:45:00Z'),
    ruleId: 'r',
    initiator: { kind: 'user', id: 'alice' },
    vaultId: 'vault-1',
    chain: 'ethereum',
    asset: USDC,
    amount: '900',
  },
]);

type Row = [
  name: string,
  conditions: PolicyRule['conditions'],
  request: PolicyRequest,
  holds: boolean,
  reason: string,
];

const matrix: Row[] = [
  ['kinds', { kinds: ['transfer'] }, request(), true, 'kind transfer is one of [transfer]'],
  [
    'kinds',
    { kinds: ['message', 'contract_call'] },
    request(),
    false,
    'kind transfer is not one of [message, contract_call]',
  ],
  [
    'initiator by user',
    { initiator: { users: ['alice'] } },
    request(),
    true,
    'initiator user alice (role initiator) is among [user alice]',
  ],
  [
    'initiator by user',
    { initiator: { users: ['bob'] } },
    request(),
    false,
    'initiator user alice (role initiator) is not among [user bob]',
  ],
  [
    'initiator by role',
    { initiator: { roles: ['initiator'] } },
    request(),
    true,
    'initiator user alice (role initiator) is among [role initiator]',
  ],
  [
    'initiator by role',
    { initiator: { roles: ['admin'] } },
    request(),
    false,
    'initiator user alice (role initiator) is not among [role admin]',
  ],
  [
    'initiator by API key',
    { initiator: { apiKeys: ['key-1'] } },
    request({}, bot),
    true,
    'initiator api-key key-1 (role initiator) is among [api-key key-1]',
  ],
  // A user id listed as an API key does not match the user of that id, nor the reverse.
  [
    'initiator by API key',
    { initiator: { apiKeys: ['alice'] } },
    request(),
    false,
    'initiator user alice (role initiator) is not among [api-key alice]',
  ],
  [
    'initiator by API key',
    { initiator: { users: ['key-1'] } },
    request({}, bot),
    false,
    'initiator api-key key-1 (role initiator) is not among [user key-1]',
  ],
  ['vaults', { vaults: ['vault-1'] }, request(), true, 'vault vault-1 is one of [vault-1]'],
  ['vaults', { vaults: ['vault-2'] }, request(), false, 'vault vault-1 is not one of [vault-2]'],
  ['wallets', { wallets: ['wallet-1'] }, request(), true, 'wallet wallet-1 is one of [wallet-1]'],
  [
    'wallets',
    { wallets: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] },
    request(),
    false,
    'wallet wallet-1 is not one of [a, b, c, d, e, … (+2)]',
  ],
  [
    'wallets',
    { wallets: ['wallet-1'] },
    request({ source: { vaultId: 'vault-1' } }),
    false,
    'the request names no wallet',
  ],
  ['chains', { chains: ['ethereum'] }, request(), true, 'chain ethereum is one of [ethereum]'],
  [
    'chains',
    { chains: ['bitcoin', 'solana'] },
    request(),
    false,
    'chain ethereum is not one of [bitcoin, solana]',
  ],
  [
    'assets (case-insensitive hex)',
    { assets: [USDC.toUpperCase().replace('0X', '0x')] },
    request(),
    true,
    `asset ${USDC} is one of [${USDC.toUpperCase().replace('0X', '0x')}]`,
  ],
  ['assets', { assets: ['ETH'] }, request(), false, `asset ${USDC} is not one of [ETH]`],
  [
    'destination any',
    { destination: { type: 'any' } },
    request(),
    true,
    'any destination is allowed',
  ],
  [
    'destination any',
    { destination: { type: 'any' } },
    request({ kind: 'message', amount: '0', destination: undefined }),
    true,
    'any destination is allowed',
  ],
  [
    'destination in book',
    { destination: { type: 'address-book' } },
    request(),
    true,
    `destination ${KNOWN} is the address-book entry "Treasury" (treasury)`,
  ],
  [
    'destination in book',
    { destination: { type: 'address-book' } },
    request({ destination: { address: STRANGER } }),
    false,
    `destination ${STRANGER} is not in the ethereum address book`,
  ],
  [
    'destination in book, other chain',
    { destination: { type: 'address-book' } },
    request({ chain: 'vechain' }),
    false,
    `destination ${KNOWN} is not in the vechain address book`,
  ],
  [
    'destination in book',
    { destination: { type: 'address-book' } },
    request({ kind: 'message', amount: '0', destination: undefined }),
    false,
    'the request has no destination',
  ],
  [
    'destination by tag',
    { destination: { type: 'address-book', tags: ['exchange'] } },
    request({ destination: { address: EXCHANGE } }),
    true,
    `destination ${EXCHANGE} is the address-book entry "Exchange" (kraken), tagged [exchange]`,
  ],
  [
    'destination by tag',
    { destination: { type: 'address-book', tags: ['exchange'] } },
    request(),
    false,
    `destination ${KNOWN} is the address-book entry "Treasury" (treasury), not tagged [exchange]`,
  ],
  [
    'destination allow-list (EIP-55 case)',
    { destination: { type: 'allow-list', addresses: [STRANGER] } },
    request({ destination: { address: STRANGER.toUpperCase().replace('0X', '0x') } }),
    true,
    `destination ${STRANGER} is one of [${STRANGER}]`,
  ],
  [
    'destination allow-list',
    { destination: { type: 'allow-list', addresses: [EXCHANGE] } },
    request(),
    false,
    `destination ${KNOWN} is not one of [${EXCHANGE}]`,
  ],
  [
    'destination not in book',
    { destination: { type: 'not-in-address-book' } },
    request({ destination: { address: STRANGER } }),
    true,
    `destination ${STRANGER} is not in the ethereum address book`,
  ],
  [
    'destination not in book',
    { destination: { type: 'not-in-address-book' } },
    request(),
    false,
    `destination ${KNOWN} is the address-book entry "Treasury" (treasury)`,
  ],
  [
    'amount max',
    { amount: { max: '1000000' } },
    request(),
    true,
    'amount 1000000 is at most 1000000',
  ],
  [
    'amount max',
    { amount: { max: '999999' } },
    request(),
    false,
    'amount 1000000 is above the maximum 999999',
  ],
  [
    'amount min',
    { amount: { min: '1000000' } },
    request(),
    true,
    'amount 1000000 is at least 1000000',
  ],
  [
    'amount min',
    { amount: { min: '1000001' } },
    request(),
    false,
    'amount 1000000 is below the minimum 1000001',
  ],
  [
    'amount beyond 2^64',
    { amount: { min: '18446744073709551616', max: big } },
    request({ amount: big }),
    true,
    `amount ${big} is at least 18446744073709551616 and at most ${big}`,
  ],
  [
    'amount beyond 2^64',
    { amount: { max: '18446744073709551620' } },
    request({ amount: big.replace(/5$/, '21') }),
    false,
    `amount ${big.replace(/5$/, '21')} is above the maximum 18446744073709551620`,
  ],
  [
    'time window',
    {
      timeWindow: {
        timeZone: 'Europe/Berlin',
        days: ['wed'],
        ranges: [{ from: '09:00', to: '17:00' }],
      },
    },
    request(),
    true,
    'local time wed 11:30 in Europe/Berlin is within 09:00–17:00 on wed',
  ],
  [
    'time window',
    { timeWindow: { timeZone: 'America/New_York', ranges: [{ from: '09:00', to: '17:00' }] } },
    request(),
    false,
    'local time wed 05:30 in America/New_York is outside 09:00–17:00 on any day',
  ],
  [
    'time window days only',
    { timeWindow: { timeZone: 'UTC', days: ['sat', 'sun'] } },
    request(),
    false,
    'local time wed 10:30 in UTC is not on sat, sun',
  ],
  [
    'velocity',
    { velocity: { windowSeconds: 3600, scope: 'vault', max: '1000900' } },
    request(),
    true,
    'velocity per vault: 900 in the last 3600 s + 1000000 requested = 1000900, within the maximum 1000900',
  ],
  [
    'velocity',
    { velocity: { windowSeconds: 3600, scope: 'vault', max: '1000899' } },
    request(),
    false,
    'velocity per vault: 900 in the last 3600 s + 1000000 requested = 1000900, above the maximum 1000899',
  ],
];

describe('condition matrix', () => {
  it.each(matrix)('%s (case %#): holds=%s', (_name, conditions, req, holds, reason) => {
    const decision = evaluatePolicy(policyOf([rule('r', conditions)]), req, {
      now: NOW,
      velocity: history,
    });
    if (holds) {
      expect(decision).toMatchObject({ outcome: 'allow', ruleId: 'r', ruleName: 'Rule r' });
      expect(decision.reasons).toEqual([
        `rule #1 "Rule r" (r) matched: ${reason}`,
        'action: allow',
      ]);
    } else {
      expect(decision).toMatchObject({ outcome: 'block', ruleId: null, ruleName: null });
      expect(decision.reasons).toEqual([
        `rule #1 "Rule r" (r) did not match: ${reason}`,
        'no rule matched',
      ]);
    }
  });

  it('covers every condition of the schema, matching and not matching', () => {
    const keys = (holds: boolean) =>
      new Set(matrix.filter((r) => r[3] === holds).flatMap((r) => Object.keys(r[1])));
    const all = [
      'kinds',
      'initiator',
      'vaults',
      'wallets',
      'chains',
      'assets',
      'destination',
      'amount',
      'timeWindow',
      'velocity',
    ];
    expect([...keys(true)].sort()).toEqual([...all].sort());
    expect([...keys(false)].sort()).toEqual([...all].sort());
  });

  it('needs every condition of a rule to hold, and names each one that does not', () => {
    const conditions = { chains: ['bitcoin'], amount: { max: '10' }, vaults: ['vault-1'] };
    const decision = evaluatePolicy(policyOf([rule('r', conditions)]), request(), {
      now: NOW,
      velocity: history,
    });
    expect(decision.reasons[0]).toBe(
      'rule #1 "Rule r" (r) did not match: chain ethereum is not one of [bitcoin]; amount 1000000 is above the maximum 10',
    );
  });

  it('asks the velocity history only when every other condition holds', () => {
    const asked: string[] = [];
    const spy = { sum: (scope: { by: string }) => (asked.push(scope.by), 0n) };
    const velocity = { windowSeconds: 60, scope: 'initiator' as const, max: '1' };
    const policy = policyOf([
      rule('a', { chains: ['bitcoin'], velocity }),
      rule('b', { velocity }),
    ]);
    const decision = evaluatePolicy(policy, request({}, alice), { now: NOW, velocity: spy });
    expect(asked).toEqual(['initiator']);
    expect(decision.reasons[0]).toBe(
      'rule #1 "Rule a" (a) did not match: chain ethereum is not one of [bitcoin]',
    );
  });
});
