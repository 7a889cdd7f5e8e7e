/**
 * Verifying one signed decision (an approval or a rejection) on arrival, with the signing
 * nodes' own code (@coffer/node `verifyApprovalSignature`: Ed25519 for API keys, WebAuthn ES256
 * with user verification for passkeys), so the server never stores a decision a node would
 * refuse. Used for request decisions and for admins' decisions on policy versions.
 */
import { ApprovalRefused, verifyApprovalSignature, type EnrolledApprover } from '@coffer/node';
import type { Approval } from '@coffer/protocol';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { ServerError } from '../../http/server-error.js';

/**
 * The approver `approval` is by, among `approvers`, once its signature over `payload`
 * verifies; otherwise 400 naming the nodes' refusal reason.
 */
export function verifyDecision<
  A extends { readonly keyId: string; readonly principal?: string | undefined },
>(approvers: readonly A[], approval: Approval, payload: string, who = 'approver'): A {
  const approver = approvers.find((a) => a.keyId === approval.approverKeyId);
  if (!approver) {
    throw new ServerError(
      'BAD_REQUEST',
      `approval refused: UNKNOWN_APPROVER: ${approval.approverKeyId} is not an ${who} key`,
    );
  }
  try {
    // Zod's output types spell absent optional fields `?: T | undefined`; the values are the
    // approver records the nodes hold (PolicyApprover ≡ EnrolledApprover).
    verifyApprovalSignature(
      approver as unknown as EnrolledApprover,
      approval,
      utf8ToBytes(payload),
    );
  } catch (error) {
    if (!(error instanceof ApprovalRefused)) throw error;
    throw new ServerError('BAD_REQUEST', `approval refused: ${error.reason}: ${error.message}`);
  }
  return approver;
}
