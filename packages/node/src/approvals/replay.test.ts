/**
 * `consumeEvidence` (replay.ts): a (vault, request, digest) admits SESSIONS_PER_APPROVAL
 * sessions, numbered, then EVIDENCE_REPLAYED; other digests and requests of the same vault stay
 * usable; digests are compared case-insensitively, as the gate does.
 */
import { MemoryLedger } from '@coffer/crypto';
import { describe, expect, it } from 'vitest';
import { ApprovalRefused } from './errors.js';
import { SESSIONS_PER_APPROVAL, consumeEvidence, evidenceLedgerId } from './replay.js';

describe('consumeEvidence', () => {
  it('lets a (vault, request, digest) authorise a bounded number of sessions', () => {
    const ledger = new MemoryLedger();
    const evidence = { vaultId: 'vault-1', requestId: 'req-1' };
    expect(SESSIONS_PER_APPROVAL).toBe(3);
    expect(consumeEvidence(ledger, evidence, 'aa'.repeat(32))).toBe(1);
    expect(consumeEvidence(ledger, evidence, 'AA'.repeat(32))).toBe(2);
    expect(consumeEvidence(ledger, evidence, 'aa'.repeat(32))).toBe(3);
    const again = () => consumeEvidence(ledger, evidence, 'AA'.repeat(32));
    expect(again).toThrow(ApprovalRefused);
    expect(again).toThrow(/EVIDENCE_REPLAYED/);
    expect(() => consumeEvidence(ledger, evidence, 'bb'.repeat(32))).not.toThrow();
    expect(() =>
      consumeEvidence(ledger, { ...evidence, requestId: 'req-2' }, 'aa'.repeat(32)),
    ).not.toThrow();
    expect(evidenceLedgerId(evidence, 'AB')).toBe('evidence/vault-1/req-1/ab');
    expect(evidenceLedgerId(evidence, 'AB', 2)).toBe('evidence/vault-1/req-1/ab#2');
  });
});
