/**
 * The conditions of a policy rule (issue 6, item 3). A rule matches a request when EVERY
 * condition it states holds; a condition it leaves out does not constrain. Each list condition
 * holds when the request's value is one of the listed values. Every schema is strict (unknown
 * fields are refused), so a misspelt condition is an error instead of a silently absent
 * constraint. Semantics in POLICY.md "Conditions".
 */
import { z } from 'zod';
import { Role } from '../api/common.js';
import { IntentKind } from './intent.js';
import { AssetId, BaseUnitAmount, ChainAddress, ChainName, PolicyId } from './identifiers.js';

const nonEmptyUnique = <T extends z.ZodType<string>>(item: T, max: number) =>
  z
    .array(item)
    .min(1)
    .max(max)
    .refine((list) => new Set(list).size === list.length, 'must not repeat a value');

/** Holds when the initiator is one of the users, holds one of the roles, or is one of the keys. */
export const InitiatorCondition = z
  .strictObject({
    users: nonEmptyUnique(PolicyId, 1000).optional(),
    roles: nonEmptyUnique(Role, 6).optional(),
    apiKeys: nonEmptyUnique(PolicyId, 1000).optional(),
  })
  .refine(
    (c) => c.users !== undefined || c.roles !== undefined || c.apiKeys !== undefined,
    'name at least one of users, roles, apiKeys',
  );
export type InitiatorCondition = z.infer<typeof InitiatorCondition>;

/**
 * `any`: every destination (and a message, which has none). `address-book`: an address-book
 * entry of the request's chain, carrying at least one of `tags` when tags are given.
 * `allow-list`: one of these addresses. `not-in-address-book`: a destination that no entry of
 * the request's chain has. Addresses compare by `addressKey` (identifiers.ts).
 */
export const DestinationCondition = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('any') }),
  z.strictObject({
    type: z.literal('address-book'),
    tags: nonEmptyUnique(PolicyId, 32).optional(),
  }),
  z.strictObject({ type: z.literal('allow-list'), addresses: nonEmptyUnique(ChainAddress, 1000) }),
  z.strictObject({ type: z.literal('not-in-address-book') }),
]);
export type DestinationCondition = z.infer<typeof DestinationCondition>;

/** Holds when min ≤ amount ≤ max (both inclusive, bigint comparison of base units). */
export const AmountCondition = z
  .strictObject({ min: BaseUnitAmount.optional(), max: BaseUnitAmount.optional() })
  .refine((c) => c.min !== undefined || c.max !== undefined, 'name min, max or both')
  .refine(
    (c) => c.min === undefined || c.max === undefined || BigInt(c.min) <= BigInt(c.max),
    'min must not exceed max',
  );
export type AmountCondition = z.infer<typeof AmountCondition>;

export const VELOCITY_SCOPES = ['initiator', 'vault', 'rule'] as const;
export const MAX_VELOCITY_WINDOW_SECONDS = 366 * 24 * 3600;

/**
 * Holds when the amounts already spent in the rolling window — same chain and asset, within
 * the scope — plus this request's amount stay at or below `max`. The history is an input
 * (velocity.ts), so the engine stays pure.
 */
export const VelocityCondition = z.strictObject({
  windowSeconds: z.int().min(1).max(MAX_VELOCITY_WINDOW_SECONDS),
  scope: z.enum(VELOCITY_SCOPES),
  max: BaseUnitAmount,
});
export type VelocityCondition = z.infer<typeof VelocityCondition>;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;

const ClockTime = z
  .string()
  .regex(/^(?:[01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be HH:MM (00:00..23:59)');

/**
 * A daily range [from, to) in local time. `to` may be `24:00` (end of the day). When `to` is
 * earlier than `from` the range crosses midnight and its part after midnight belongs to the
 * day it started on (a Friday 22:00–06:00 range covers Saturday 03:00).
 */
export const TimeRange = z
  .strictObject({ from: ClockTime, to: z.union([ClockTime, z.literal('24:00')]) })
  .refine((r) => r.from !== r.to, 'from and to must differ (leave ranges out for the whole day)');
export type TimeRange = z.infer<typeof TimeRange>;

/** True when the runtime's ICU knows the IANA zone (Intl.DateTimeFormat throws RangeError). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Holds when `now`, seen in `timeZone`, falls on one of `days` and within one of `ranges`. */
export const TimeWindowCondition = z
  .strictObject({
    timeZone: z.string().min(1).max(64).refine(isKnownTimeZone, 'must be an IANA time zone'),
    days: nonEmptyUnique(Weekday, 7).optional(),
    ranges: z.array(TimeRange).min(1).max(16).optional(),
  })
  .refine((c) => c.days !== undefined || c.ranges !== undefined, 'name days, ranges or both');
export type TimeWindowCondition = z.infer<typeof TimeWindowCondition>;

export const RuleConditions = z.strictObject({
  kinds: nonEmptyUnique(IntentKind, 3).optional(),
  initiator: InitiatorCondition.optional(),
  vaults: nonEmptyUnique(PolicyId, 1000).optional(),
  wallets: nonEmptyUnique(PolicyId, 10000).optional(),
  chains: nonEmptyUnique(ChainName, 64).optional(),
  assets: nonEmptyUnique(AssetId, 1000).optional(),
  destination: DestinationCondition.optional(),
  amount: AmountCondition.optional(),
  timeWindow: TimeWindowCondition.optional(),
  velocity: VelocityCondition.optional(),
});
export type RuleConditions = z.infer<typeof RuleConditions>;
