/**
 * The typed end of a session that did not produce its output (issue 4, "Sessions": "an abort
 * that names the culprit"). `code` is stable; `culprits` are protocol parties (not node ids)
 * taken from a `CryptoError`'s culprits or from the peers that missed a round's deadline.
 * Messages never contain secret values (no shares, nonces or key material).
 */
import type { PartyId } from '@coffer/crypto';

export const SESSION_ABORT_CODES = [
  /** The request is malformed (unknown protocol, bad params, self not a participant, …). */
  'INVALID_REQUEST',
  /** A signing request without valid approval evidence (see approvals/ and APPROVALS.md). */
  'EVIDENCE_REFUSED',
  /** A peer sent a message the protocol rejects; `culprits` names it (CryptoError). */
  'PROTOCOL_FAULT',
  /**
   * Participants saw a round's broadcasts differently and no one can be proven at fault
   * (e.g. the relay dropped a broadcast to some of them); no culprits. A provable
   * equivocation is a PROTOCOL_FAULT (reason EQUIVOCATION) naming the sender instead.
   */
  'INCONSISTENT_BROADCAST',
  /** A peer did not deliver its round's messages in time; `culprits` names it. */
  'TIMEOUT',
  /** Single-use state (session, round, nonce, presignature) was already used: fail closed. */
  'STATE_CONSUMED',
  /** This session id already ran (or started) on this node. */
  'SESSION_REPLAYED',
  /** A persisted session cannot be resumed safely (no pending round input). */
  'NOT_RESUMABLE',
  /** A required keystore record (a key share) is missing or unreadable. */
  'KEY_UNAVAILABLE',
  /** Persisting state or sending a message failed. */
  'NODE_FAULT',
  /** The runner was closed while the session was running. */
  'RUNNER_CLOSED',
] as const;
export type SessionAbortCode = (typeof SESSION_ABORT_CODES)[number];

export interface SessionAbortedOptions {
  readonly culprits?: readonly PartyId[];
  /** The CryptoError / approval refusal code behind this abort, if any. */
  readonly reason?: string;
  readonly cause?: unknown;
}

export class SessionAborted extends Error {
  override readonly name = 'SessionAborted';
  readonly culprits: readonly PartyId[];
  readonly reason: string | undefined;
  constructor(
    readonly code: SessionAbortCode,
    message: string,
    options: SessionAbortedOptions = {},
  ) {
    const culprits = options.culprits ?? [];
    const blame = culprits.length > 0 ? ` (culprits: ${culprits.join(', ')})` : '';
    super(
      `${code}: ${message}${blame}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.culprits = culprits;
    this.reason = options.reason;
  }
}

/** True when `error` is a `SessionAborted`, optionally with the given code. */
export function isSessionAborted(error: unknown, code?: SessionAbortCode): error is SessionAborted {
  return error instanceof SessionAborted && (code === undefined || error.code === code);
}
