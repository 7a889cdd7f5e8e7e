/**
 * Checks a rule's conditions against a request (issue 6, item 3) and says why each holds or
 * not, in words a person reads in the dry-run answer ("what would happen to this request, and
 * why"). All conditions present must hold; a condition left out does not constrain. The
 * velocity condition asks the caller's history, so it is checked only when every other
 * condition of the rule holds: at most one history look-up per rule that could match.
 */
import type { DestinationCondition, InitiatorCondition, RuleConditions } from './conditions.js';
import type { AddressBookEntry, PolicyDocument } from './document.js';
import { addressKey } from './identifiers.js';
import type { PolicyRequest } from './intent.js';
import { checkTimeWindow } from './local-time.js';
import { velocityWindowStart, type VelocityHistory, type VelocityScope } from './velocity.js';

export interface ConditionCheck {
  readonly holds: boolean;
  readonly reason: string;
}

export interface ConditionContext {
  readonly policy: PolicyDocument;
  readonly ruleId: string;
  readonly now: Date;
  readonly velocity: VelocityHistory;
}

/** A list for a reason text: at most five values, then how many more. */
export function listText(values: readonly string[]): string {
  const shown = values.slice(0, 5).join(', ');
  return values.length > 5 ? `[${shown}, … (+${values.length - 5})]` : `[${shown}]`;
}

function membership(what: string, value: string, list: readonly string[], key = (v: string) => v) {
  const holds = list.some((item) => key(item) === key(value));
  return { holds, reason: `${what} ${value} is ${holds ? '' : 'not '}one of ${listText(list)}` };
}

function checkInitiator(condition: InitiatorCondition, request: PolicyRequest): ConditionCheck {
  const who = request.initiator;
  const byId = who.kind === 'user' ? condition.users : condition.apiKeys;
  const holds = (byId?.includes(who.id) ?? false) || (condition.roles?.includes(who.role) ?? false);
  const listed = [
    ...(condition.users ?? []).map((u) => `user ${u}`),
    ...(condition.roles ?? []).map((r) => `role ${r}`),
    ...(condition.apiKeys ?? []).map((k) => `api-key ${k}`),
  ];
  return {
    holds,
    reason: `initiator ${who.kind} ${who.id} (role ${who.role}) is ${holds ? '' : 'not '}among ${listText(listed)}`,
  };
}

function entryFor(
  policy: PolicyDocument,
  chain: string,
  address: string,
): AddressBookEntry | undefined {
  const key = addressKey(address);
  return (policy.addressBook ?? []).find((e) => e.chain === chain && addressKey(e.address) === key);
}

function checkDestination(
  condition: DestinationCondition,
  request: PolicyRequest,
  policy: PolicyDocument,
): ConditionCheck {
  if (condition.type === 'any') return { holds: true, reason: 'any destination is allowed' };
  const destination = request.intent.destination?.address;
  if (destination === undefined) return { holds: false, reason: 'the request has no destination' };
  const chain = request.intent.chain;
  if (condition.type === 'allow-list') {
    return membership('destination', destination, condition.addresses, addressKey);
  }
  const entry = entryFor(policy, chain, destination);
  const found =
    entry === undefined ? null : `the address-book entry "${entry.label}" (${entry.id})`;
  if (condition.type === 'not-in-address-book') {
    return entry === undefined
      ? { holds: true, reason: `destination ${destination} is not in the ${chain} address book` }
      : { holds: false, reason: `destination ${destination} is ${found}` };
  }
  if (entry === undefined) {
    return {
      holds: false,
      reason: `destination ${destination} is not in the ${chain} address book`,
    };
  }
  if (condition.tags === undefined)
    return { holds: true, reason: `destination ${destination} is ${found}` };
  const tags = entry.tags ?? [];
  const holds = condition.tags.some((t) => tags.includes(t));
  return {
    holds,
    reason: `destination ${destination} is ${found}, ${holds ? 'tagged' : 'not tagged'} ${listText(condition.tags)}`,
  };
}

function checkAmount(
  condition: NonNullable<RuleConditions['amount']>,
  amount: string,
): ConditionCheck {
  const value = BigInt(amount);
  if (condition.min !== undefined && value < BigInt(condition.min)) {
    return { holds: false, reason: `amount ${amount} is below the minimum ${condition.min}` };
  }
  if (condition.max !== undefined && value > BigInt(condition.max)) {
    return { holds: false, reason: `amount ${amount} is above the maximum ${condition.max}` };
  }
  const bounds = [
    condition.min === undefined ? null : `at least ${condition.min}`,
    condition.max === undefined ? null : `at most ${condition.max}`,
  ].filter((b) => b !== null);
  return { holds: true, reason: `amount ${amount} is ${bounds.join(' and ')}` };
}

function checkVelocity(
  condition: NonNullable<RuleConditions['velocity']>,
  request: PolicyRequest,
  context: ConditionContext,
): ConditionCheck {
  const { chain, asset, source } = request.intent;
  const scope: VelocityScope =
    condition.scope === 'initiator'
      ? {
          by: 'initiator',
          initiator: { kind: request.initiator.kind, id: request.initiator.id },
          chain,
          asset,
        }
      : condition.scope === 'vault'
        ? { by: 'vault', vaultId: source.vaultId, chain, asset }
        : { by: 'rule', chain, asset };
  const spent = context.velocity.sum(
    scope,
    velocityWindowStart(condition, context.now),
    context.ruleId,
  );
  const total = spent + BigInt(request.intent.amount);
  const holds = total <= BigInt(condition.max);
  return {
    holds,
    reason:
      `velocity per ${condition.scope}: ${spent} in the last ${condition.windowSeconds} s + ` +
      `${request.intent.amount} requested = ${total}, ${holds ? 'within' : 'above'} the maximum ${condition.max}`,
  };
}

/** Every stated condition's check, in a fixed order; velocity last and only if the rest hold. */
export function checkConditions(
  conditions: RuleConditions,
  request: PolicyRequest,
  context: ConditionContext,
): readonly ConditionCheck[] {
  const { intent } = request;
  const checks: ConditionCheck[] = [];
  if (conditions.kinds) checks.push(membership('kind', intent.kind, conditions.kinds));
  if (conditions.initiator) checks.push(checkInitiator(conditions.initiator, request));
  if (conditions.vaults) checks.push(membership('vault', intent.source.vaultId, conditions.vaults));
  if (conditions.wallets) {
    const wallet = intent.source.walletId;
    checks.push(
      wallet === undefined
        ? { holds: false, reason: 'the request names no wallet' }
        : membership('wallet', wallet, conditions.wallets),
    );
  }
  if (conditions.chains) checks.push(membership('chain', intent.chain, conditions.chains));
  if (conditions.assets)
    checks.push(membership('asset', intent.asset, conditions.assets, addressKey));
  if (conditions.destination) {
    checks.push(checkDestination(conditions.destination, request, context.policy));
  }
  if (conditions.amount) checks.push(checkAmount(conditions.amount, intent.amount));
  if (conditions.timeWindow) checks.push(checkTimeWindow(conditions.timeWindow, context.now));
  if (conditions.velocity && checks.every((c) => c.holds)) {
    checks.push(checkVelocity(conditions.velocity, request, context));
  }
  return checks;
}
