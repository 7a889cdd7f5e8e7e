/**
 * `consumeEvidence` (replay.ts): the first use of a (vault, request, digest) passes, a second
 * is EVIDENCE_REPLAYED; other digests and requests of the same vault stay usable; digests
 * are compared case-insensitively, as the gate does.
 */
import { MemoryLedger } from '@coffer/crypto';
import { describe, expect, it } from 'vitest';
import { ApprovalRefused } from './errors.js';
import { consumeEvidence, evidenceLedgerId } from './replay.js';

describe('consumeEvidence', () => {
  it('lets a (vault, request, digest) authorise one session only', () => {
    const ledger = new MemoryLedger();
    const evidence = { vaultId: 'vault-1', requestId: 'req-1' };
    consumeEvidence(ledger, evidence, 'aa'.repeat(32));
    const again = () => consumeEvidence(ledger, evidence, 'AA'.repeat(32));
    expect(again).toThrow(ApprovalRefused);
    expect(again).toThrow(/EVIDENCE_REPLAYED/);
    expect(() => consumeEvidence(ledger, evidence, 'bb'.repeat(32))).not.toThrow();
    expect(() =>
      consumeEvidence(ledger, { ...evidence, requestId: 'req-2' }, 'aa'.repeat(32)),
    ).not.toThrow();
    expect(evidenceLedgerId(evidence, 'AB')).toBe('evidence/vault-1/req-1/ab');
  });
});
