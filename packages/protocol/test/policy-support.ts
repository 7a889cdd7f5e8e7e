/**
 * Builders of test data for the policy-engine tests (policy-*.test.ts): a valid intent, request
 * and policy with overrides, parsed through the real schemas so a builder can never produce
 * something the engine would refuse to accept.
 */
import {
  Intent,
  PolicyDocument,
  type Initiator,
  type PolicyRequest,
  type PolicyRule,
} from '../src/index.js';

export const USDC = '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48';
export const KNOWN = '0x1111111111111111111111111111111111111111';
export const EXCHANGE = '0x2222222222222222222222222222222222222222';
export const STRANGER = '0x9999999999999999999999999999999999999999';
export const DIGEST = 'ab'.repeat(32);

export function intent(overrides: Partial<Record<keyof Intent, unknown>> = {}): Intent {
  return Intent.parse({
    version: 1,
    kind: 'transfer',
    chain: 'ethereum',
    asset: USDC,
    amount: '1000000',
    source: { vaultId: 'vault-1', walletId: 'wallet-1' },
    destination: { address: KNOWN },
    digests: [DIGEST],
    ...overrides,
  });
}

export const alice: Initiator = { kind: 'user', id: 'alice', role: 'initiator' };

export function request(
  intentOverrides: Partial<Record<keyof Intent, unknown>> = {},
  initiator: Initiator = alice,
): PolicyRequest {
  return { intent: intent(intentOverrides), initiator };
}

export const ADDRESS_BOOK = [
  { id: 'treasury', label: 'Treasury', chain: 'ethereum', address: KNOWN, tags: ['internal'] },
  { id: 'kraken', label: 'Exchange', chain: 'ethereum', address: EXCHANGE, tags: ['exchange'] },
];

export const GROUPS = [
  { id: 'tellers', name: 'Tellers', members: { users: ['tom', 'tina', 'both'] }, quorum: 1 },
  { id: 'managers', name: 'Managers', members: { users: ['mia', 'max', 'both'] }, quorum: 1 },
  { id: 'approvers', name: 'Approvers', members: { roles: ['approver'] }, quorum: 2 },
];

/** A policy of the given rules over GROUPS and ADDRESS_BOOK, validated. */
export function policyOf(rules: unknown[], extra: Record<string, unknown> = {}): PolicyDocument {
  return PolicyDocument.parse({
    version: 1,
    policyVersion: 1,
    rules,
    groups: GROUPS,
    addressBook: ADDRESS_BOOK,
    ...extra,
  });
}

export function rule(
  id: string,
  conditions: PolicyRule['conditions'],
  action: unknown = { type: 'allow' },
): unknown {
  return { id, name: `Rule ${id}`, conditions, action };
}
