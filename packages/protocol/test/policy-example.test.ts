/**
 * POLICY.md's full example, parsed from the document itself, decides what the document says
 * it decides: the documentation cannot drift from the engine.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  PolicyDocument,
  approvalStatus,
  evaluatePolicy,
  membersFromDirectory,
  velocityHistoryOf,
  type Initiator,
  type PolicyRequest,
  type VelocityEntry,
} from '../src/index.js';
import { DIGEST, EXCHANGE, KNOWN, STRANGER, USDC, request } from './policy-support.js';

const markdown = readFileSync(new URL('../POLICY.md', import.meta.url), 'utf8');
const block = /```json\n([\s\S]*?)\n```/.exec(markdown)?.[1];
const policy = PolicyDocument.parse(JSON.parse(block ?? 'null'));

const carol: Initiator = { kind: 'user', id: 'usr_carol', role: 'initiator' };
const WEDNESDAY_11_BERLIN = new Date('2026-01-14T10:00:00Z');
const WEDNESDAY_22_BERLIN = new Date('2026-01-14T21:00:00Z');
const none = velocityHistoryOf([]);
const judge = (req: PolicyRequest, now = WEDNESDAY_11_BERLIN, velocity = none) =>
  evaluatePolicy(policy, req, { now, velocity });
const usdc = (amount: string, address: string) =>
  request({ amount, destination: { address } }, carol);

describe('POLICY.md example', () => {
  it('allows 500 USDC to the treasury in office hours', () => {
    const decision = judge(usdc('500000000', KNOWN));
    expect(decision).toMatchObject({
      outcome: 'allow',
      ruleId: 'small-office-hours',
      policyVersion: 7,
    });
  });

  it('asks one teller at night or past the daily limit', () => {
    const night = judge(usdc('500000000', KNOWN), WEDNESDAY_22_BERLIN);
    expect(night).toMatchObject({ outcome: 'require-approvals', ruleId: 'other-known' });
    const spent: VelocityEntry = {
      at: new Date('2026-01-14T08:00:00Z'),
      ruleId: 'small-office-hours',
      initiator: carol,
      vaultId: 'vault-1',
      chain: 'ethereum',
      asset: USDC,
      amount: '4600000000',
    };
    const overLimit = judge(
      usdc('500000000', KNOWN),
      WEDNESDAY_11_BERLIN,
      velocityHistoryOf([spent]),
    );
    expect(overLimit.ruleId).toBe('other-known');
  });

  it('asks a teller, then a manager, above 10 000 USDC', () => {
    const decision = judge(usdc('50000000000', EXCHANGE));
    expect(decision).toMatchObject({ outcome: 'require-approvals', ruleId: 'large-usdc' });
    const membersOf = membersFromDirectory([{ id: 'usr_mgr', role: 'admin' }]);
    const at = (m: number) => new Date(Date.UTC(2026, 0, 14, 10, m));
    const decisions = [
      { approverId: 'usr_tom', decision: 'approve' as const, at: at(1) },
      { approverId: 'usr_mgr', decision: 'approve' as const, at: at(2) },
    ];
    expect(
      approvalStatus(decision.requirement!, decisions.slice(0, 1), carol.id, membersOf).missing,
    ).toEqual(['manager: 1 more from Managers']);
    expect(approvalStatus(decision.requirement!, decisions, carol.id, membersOf).state).toBe(
      'approved',
    );
    // Exactly 10 000 USDC is not "above": it falls to the next rule.
    const exactly = judge(usdc('10000000000', KNOWN));
    expect(exactly.ruleId).toBe('other-known');
  });

  it('blocks unknown destinations, and a message by default, with the reasons shown', () => {
    const unknown = judge(usdc('1', STRANGER));
    expect(unknown).toMatchObject({ outcome: 'block', ruleId: 'block-unknown' });
    const message = request(
      { kind: 'message', asset: 'ETH', amount: '0', destination: undefined, digests: [DIGEST] },
      carol,
    );
    const decision = judge(message);
    expect(decision).toMatchObject({ outcome: 'block', ruleId: null });
    const shown = /The dry-run reasons for the last one read:\n\n```\n([\s\S]*?)\n```/.exec(
      markdown,
    )?.[1];
    expect(shown).toBe(decision.reasons.join('\n'));
  });
});
