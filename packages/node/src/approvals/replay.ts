/**
 * Evidence replay protection (issue 4, "Approval gate"; issue 6, item 10; APPROVALS.md
 * "Replay"): valid approvals authorise signing each approved digest, a bounded number of
 * times — never forever. When a node admits a signing session it consumes the next of
 * `SESSIONS_PER_APPROVAL` uses of `evidence/<vaultId>/<requestId>/<digest>` in its durable
 * usage ledger (sessions/durable-ledger.ts: written and fsynced before `consume` returns, kept
 * across restarts, stored as an HMAC so the file reveals no ids); once they are all used the
 * evidence is refused with EVIDENCE_REPLAYED. More than one use lets the coordinator restart a
 * session that failed (a node down mid-session) with another authorised set that includes
 * nodes of the failed one. That is safe: every session draws fresh nonces (the nonce and
 * presignature ledgers are separate and single use), and another signature of the SAME
 * approved digest authorises nothing new. The ids are unambiguous: vault and request ids
 * cannot contain '/' or '#', digests are lowercase hex.
 */
import { CryptoError, type UsageLedger } from '@coffer/crypto';
import { ApprovalRefused } from './errors.js';
import type { SigningEvidence } from './evidence.js';

/** Signing sessions one approval of a digest admits on one node. */
export const SESSIONS_PER_APPROVAL = 3;

/** The usage-ledger id of use `use` (1-based) of one (vault, request, digest) authorisation. */
export function evidenceLedgerId(
  evidence: Pick<SigningEvidence, 'vaultId' | 'requestId'>,
  digest: string,
  use = 1,
): string {
  const id = `evidence/${evidence.vaultId}/${evidence.requestId}/${digest.toLowerCase()}`;
  return use === 1 ? id : `${id}#${use}`;
}

/**
 * Consumes the next use of the authorisation of `digest` by already verified `evidence` and
 * returns its number; throws ApprovalRefused EVIDENCE_REPLAYED when every use is spent on
 * this node. Ledger write failures propagate unchanged (the caller must then not sign: fail
 * closed).
 */
export function consumeEvidence(
  ledger: UsageLedger,
  evidence: Pick<SigningEvidence, 'vaultId' | 'requestId'>,
  digest: string,
): number {
  for (let use = 1; use <= SESSIONS_PER_APPROVAL; use++) {
    try {
      ledger.consume(evidenceLedgerId(evidence, digest, use));
      return use;
    } catch (error) {
      if (!(error instanceof CryptoError && error.code === 'STATE_CONSUMED')) throw error;
    }
  }
  throw new ApprovalRefused(
    'EVIDENCE_REPLAYED',
    `request ${evidence.requestId} already authorised ${SESSIONS_PER_APPROVAL} signing ` +
      'sessions of this digest here',
  );
}
