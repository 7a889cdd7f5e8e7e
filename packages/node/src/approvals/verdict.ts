/**
 * The approval gate's answer as a value (APPROVALS.md "Decision and refusal reasons"): the
 * accepted evidence with the approver key ids that counted, or the refusal reason, message and
 * approver concerned. `verifyEvidence` (v1), `verifyEvidenceV2` and `verifyAnyEvidence` all
 * return this shape, so the node's gate and the server's pre-check read them alike.
 */
import { ApprovalRefused, type ApprovalRefusalReason } from './errors.js';
import type { SigningEvidence } from './evidence.js';

/** A refusal: why, a message with ids and counts only, and the approver key concerned. */
export interface EvidenceRefusal {
  readonly ok: false;
  readonly reason: ApprovalRefusalReason;
  readonly message: string;
  readonly approverKeyId?: string;
}

export type EvidenceVerdict<E = SigningEvidence> =
  | { readonly ok: true; readonly evidence: E; readonly approvers: readonly string[] }
  | EvidenceRefusal;

/** The refusal `error` stands for. */
export function refusalOf(error: ApprovalRefused): EvidenceRefusal {
  return {
    ok: false,
    reason: error.reason,
    message: error.message,
    ...(error.approverKeyId === undefined ? {} : { approverKeyId: error.approverKeyId }),
  };
}

/**
 * Runs a check that throws ApprovalRefused and returns its outcome as a verdict; any other
 * error (a bug, never a refusal) propagates.
 */
export function verdictOf<E>(
  check: () => { readonly evidence: E; readonly approvers: readonly string[] },
): EvidenceVerdict<E> {
  try {
    const { evidence, approvers } = check();
    return { ok: true, evidence, approvers };
  } catch (error) {
    if (error instanceof ApprovalRefused) return refusalOf(error);
    throw error;
  }
}
