/**
 * Velocity windows across their boundaries and time windows across midnight, in two time
 * zones and on daylight-saving change days (issue 6, "Tests").
 */
import { describe, expect, it } from 'vitest';
import {
  checkTimeWindow,
  evaluatePolicy,
  localTimeIn,
  velocityHistoryOf,
  type TimeWindowCondition,
  type VelocityEntry,
} from '../src/index.js';
import { USDC, alice, policyOf, request, rule } from './policy-support.js';

describe('velocity over a rolling window', () => {
  const NOW = new Date('2026-01-14T12:00:00.000Z');
  const WINDOW = 24 * 3600;
  const windowStart = new Date(NOW.getTime() - WINDOW * 1000);
  const spent = (at: Date, amount: string, extra: Partial<VelocityEntry> = {}): VelocityEntry => ({
    at,
    ruleId: 'daily',
    initiator: { kind: 'user', id: 'alice' },
    vaultId: 'vault-1',
    chain: 'ethereum',
    asset: USDC,
    amount,
    ...extra,
  });
  const decide = (
    entries: VelocityEntry[],
    amount: string,
    scope: 'initiator' | 'vault' | 'rule' = 'vault',
    max = '1000',
  ) =>
    evaluatePolicy(
      policyOf([rule('daily', { velocity: { windowSeconds: WINDOW, scope, max } })]),
      request({ amount }),
      {
        now: NOW,
        velocity: velocityHistoryOf(entries),
      },
    );

  it('allows a request that brings the sum exactly to the max, not one unit over', () => {
    const history = [spent(new Date('2026-01-14T08:00:00Z'), '600')];
    expect(decide(history, '400').outcome).toBe('allow');
    const over = decide(history, '401');
    expect(over.outcome).toBe('block');
    expect(over.reasons[0]).toBe(
      'rule #1 "Rule daily" (daily) did not match: velocity per vault: 600 in the last 86400 s + 401 requested = 1001, above the maximum 1000',
    );
  });

  it('counts an entry exactly at the window start, not one a millisecond earlier', () => {
    expect(decide([spent(windowStart, '1')], '1000').outcome).toBe('block');
    expect(decide([spent(new Date(windowStart.getTime() - 1), '1')], '1000').outcome).toBe('allow');
  });

  it('a request alone above the max does not match even with no history', () => {
    expect(decide([], '1001').outcome).toBe('block');
    expect(decide([], '1000').outcome).toBe('allow');
  });

  it('sums beyond 2^64 exactly', () => {
    const half = 2n ** 64n;
    const history = [spent(NOW, half.toString())];
    const max = (2n * half).toString();
    expect(decide(history, half.toString(), 'vault', max).outcome).toBe('allow');
    expect(decide(history, (half + 1n).toString(), 'vault', max).outcome).toBe('block');
  });

  it('scopes the sum per initiator, per vault or per rule, and per chain and asset', () => {
    const history = [
      spent(NOW, '500', { initiator: { kind: 'user', id: 'bob' } }),
      spent(NOW, '300', { vaultId: 'vault-2' }),
      spent(NOW, '200', { ruleId: 'other' }),
      spent(NOW, '5000', { asset: 'ETH' }),
      spent(NOW, '5000', { chain: 'vechain' }),
      spent(NOW, '5000', {
        initiator: { kind: 'api-key', id: 'alice' },
        vaultId: 'vault-3',
        ruleId: 'other',
      }),
    ];
    // Alice's own: 300 (vault-2) + 200 (other rule) = 500.
    expect(decide(history, '500', 'initiator').outcome).toBe('allow');
    expect(decide(history, '501', 'initiator').outcome).toBe('block');
    // vault-1: bob's 500 + the other rule's 200 = 700.
    expect(decide(history, '300', 'vault').outcome).toBe('allow');
    expect(decide(history, '301', 'vault').outcome).toBe('block');
    // rule daily: 500 + 300 = 800.
    expect(decide(history, '200', 'rule').outcome).toBe('allow');
    expect(decide(history, '201', 'rule').outcome).toBe('block');
  });

  it('compares the asset of EVM tokens without case', () => {
    const history = [spent(NOW, '900', { asset: USDC.toUpperCase().replace('0X', '0x') })];
    expect(decide(history, '101').outcome).toBe('block');
  });

  it('a rule over the velocity limit falls through to the next rule', () => {
    const policy = policyOf([
      rule('daily', { velocity: { windowSeconds: WINDOW, scope: 'initiator', max: '1000' } }),
      rule(
        'review',
        {},
        {
          type: 'require-approvals',
          stages: [{ type: 'approvers', requirement: { group: 'managers' } }],
        },
      ),
    ]);
    const velocity = velocityHistoryOf([spent(NOW, '1000')]);
    expect(
      evaluatePolicy(policy, request({ amount: '1' }, alice), { now: NOW, velocity }).ruleId,
    ).toBe('review');
  });
});

describe('time windows', () => {
  const check = (condition: TimeWindowCondition, iso: string) =>
    checkTimeWindow(condition, new Date(iso));
  const night: TimeWindowCondition = {
    timeZone: 'UTC',
    days: ['fri'],
    ranges: [{ from: '22:00', to: '06:00' }],
  };

  it('a range across midnight belongs to the day it starts on', () => {
    expect(check(night, '2026-01-16T23:00:00Z')).toEqual({
      holds: true,
      reason: 'local time fri 23:00 in UTC is within 22:00–06:00 on fri',
    });
    expect(check(night, '2026-01-17T03:00:00Z').holds).toBe(true); // Saturday 03:00, Friday's night
    expect(check(night, '2026-01-17T05:59:00Z').holds).toBe(true);
    expect(check(night, '2026-01-17T06:00:00Z')).toEqual({
      holds: false,
      reason: 'local time sat 06:00 in UTC is outside 22:00–06:00 on fri',
    }); // the end is exclusive
    expect(check(night, '2026-01-16T03:00:00Z').holds).toBe(false); // Friday 03:00 is Thursday's night
    expect(check(night, '2026-01-17T23:00:00Z').holds).toBe(false); // Saturday night
    expect(check(night, '2026-01-16T21:59:00Z').holds).toBe(false);
  });

  it('a range to 24:00 ends at midnight', () => {
    const evening: TimeWindowCondition = {
      timeZone: 'UTC',
      ranges: [{ from: '18:00', to: '24:00' }],
    };
    expect(check(evening, '2026-01-16T23:59:00Z').holds).toBe(true);
    expect(check(evening, '2026-01-17T00:00:00Z').holds).toBe(false);
  });

  it('the same instant is inside office hours in one zone and outside in another', () => {
    const office = (timeZone: string): TimeWindowCondition => ({
      timeZone,
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      ranges: [{ from: '09:00', to: '17:00' }],
    });
    const instant = '2026-01-16T14:30:00Z'; // Friday
    expect(check(office('Europe/Berlin'), instant).reason).toBe(
      'local time fri 15:30 in Europe/Berlin is within 09:00–17:00 on mon, tue, wed, thu, fri',
    );
    expect(check(office('Asia/Tokyo'), instant).reason).toBe(
      'local time fri 23:30 in Asia/Tokyo is outside 09:00–17:00 on mon, tue, wed, thu, fri',
    );
    // In Tokyo 2026-01-17 00:30 is Saturday.
    expect(check(office('Asia/Tokyo'), '2026-01-16T15:30:00Z').reason).toBe(
      'local time sat 00:30 in Asia/Tokyo is outside 09:00–17:00 on mon, tue, wed, thu, fri',
    );
  });

  it('follows the spring daylight-saving change (Europe/Berlin, 29 March 2026)', () => {
    const office: TimeWindowCondition = {
      timeZone: 'Europe/Berlin',
      ranges: [{ from: '09:00', to: '17:00' }],
    };
    // 07:30 UTC is 08:30 CET the day before and 09:30 CEST on the change day.
    expect(check(office, '2026-03-28T07:30:00Z').holds).toBe(false);
    expect(check(office, '2026-03-29T07:30:00Z').holds).toBe(true);
    // Local 02:00–03:00 does not exist on the change day: 00:59 UTC is 01:59, 01:00 UTC is 03:00.
    const skipped: TimeWindowCondition = {
      timeZone: 'Europe/Berlin',
      ranges: [{ from: '02:00', to: '03:00' }],
    };
    expect(localTimeIn('Europe/Berlin', new Date('2026-03-29T00:59:00Z')).minuteOfDay).toBe(119);
    expect(localTimeIn('Europe/Berlin', new Date('2026-03-29T01:00:00Z')).minuteOfDay).toBe(180);
    expect(check(skipped, '2026-03-29T00:59:00Z').holds).toBe(false);
    expect(check(skipped, '2026-03-29T01:00:00Z').holds).toBe(false);
  });

  it('follows the autumn change (Europe/Berlin, 25 October 2026): 02:30 happens twice', () => {
    const repeated: TimeWindowCondition = {
      timeZone: 'Europe/Berlin',
      ranges: [{ from: '02:00', to: '03:00' }],
    };
    expect(check(repeated, '2026-10-25T00:30:00Z').reason).toBe(
      'local time sun 02:30 in Europe/Berlin is within 02:00–03:00 on any day',
    ); // CEST
    expect(check(repeated, '2026-10-25T01:30:00Z').holds).toBe(true); // CET
    expect(check(repeated, '2026-10-25T02:30:00Z').holds).toBe(false); // 03:30 CET
  });

  it('follows the change in New York (8 March 2026) across midnight', () => {
    const late: TimeWindowCondition = {
      timeZone: 'America/New_York',
      days: ['sat'],
      ranges: [{ from: '20:00', to: '04:00' }],
    };
    // Sunday 03:30 EDT (07:30 UTC) still belongs to Saturday's range; an hour later it does not.
    expect(check(late, '2026-03-08T07:30:00Z').reason).toBe(
      'local time sun 03:30 in America/New_York is within 20:00–04:00 on sat',
    );
    expect(check(late, '2026-03-08T08:00:00Z').holds).toBe(false);
    // Before the change 08:30 UTC was 03:30 EST (the previous Sunday).
    expect(check(late, '2026-03-01T08:30:00Z').holds).toBe(true);
  });
});
