/**
 * Evidence replay protection (issue 4, "Approval gate"; APPROVALS.md, "Replay"): valid
 * approvals authorise signing each approved digest once, not forever. When a node admits a
 * signing session it consumes `evidence/<vaultId>/<requestId>/<digest>` in its durable usage
 * ledger (sessions/durable-ledger.ts: written and fsynced before `consume` returns, kept
 * across restarts, stored as an HMAC so the file reveals no ids); a second session presenting
 * the same evidence for the same digest is refused with EVIDENCE_REPLAYED. For the usual
 * single-digest request this is "one signing session per request id per node". The ids are
 * unambiguous: vault and request ids cannot contain '/', digests are lowercase hex.
 */
import { CryptoError, type UsageLedger } from '@coffer/crypto';
import { ApprovalRefused } from './errors.js';
import type { SigningEvidence } from './evidence.js';

/** The usage-ledger id that one (vault, request, digest) authorisation consumes. */
export function evidenceLedgerId(
  evidence: Pick<SigningEvidence, 'vaultId' | 'requestId'>,
  digest: string,
): string {
  return `evidence/${evidence.vaultId}/${evidence.requestId}/${digest.toLowerCase()}`;
}

/**
 * Consumes the authorisation of `digest` by already verified `evidence`; throws
 * ApprovalRefused EVIDENCE_REPLAYED when it was used before on this node. Ledger write
 * failures propagate unchanged (the caller must then not sign: fail closed).
 */
export function consumeEvidence(
  ledger: UsageLedger,
  evidence: Pick<SigningEvidence, 'vaultId' | 'requestId'>,
  digest: string,
): void {
  try {
    ledger.consume(evidenceLedgerId(evidence, digest));
  } catch (error) {
    if (error instanceof CryptoError && error.code === 'STATE_CONSUMED') {
      throw new ApprovalRefused(
        'EVIDENCE_REPLAYED',
        `request ${evidence.requestId} already authorised a signing session of this digest here`,
      );
    }
    throw error;
  }
}
