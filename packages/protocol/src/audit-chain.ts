/**
 * The audit log's hash chain (issue 6, "Audit"), as pure functions shared by the server (which
 * appends) and anyone who verifies — the server's own check, and `coffer audit verify` on an
 * exported file, which trusts nothing but the file and, optionally, a head hash pinned earlier.
 *
 * Entry n of a chain commits to entry n−1: hash_n = SHA-256(canonical JSON of
 * {v, chain, seq, at, actor, action, subject, details, prevHash}), prevHash_1 = 64 zeros, and
 * seq runs 1, 2, 3… without gaps. So a modified entry breaks its own hash (or, if re-hashed,
 * the next entry's link), a deleted entry leaves a gap, a reordered one breaks the order.
 * Removing entries from the END cannot be seen from the chain alone: compare the head
 * (last seq and hash) with one recorded earlier (`expectedHead`).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson } from './canonical-json.js';

export const AUDIT_CHAIN_VERSION = 1;
export const GENESIS_PREV_HASH = '0'.repeat(64);

export interface AuditActor {
  readonly kind: 'user' | 'api-key' | 'system';
  readonly id: string;
}

/** What the hash covers: everything but the hash itself. */
export interface AuditEntryBody {
  readonly chain: string;
  readonly seq: number;
  /** ISO-8601 UTC timestamp, millisecond precision, kept as text so it hashes identically. */
  readonly at: string;
  readonly actor: AuditActor;
  readonly action: string;
  readonly subject: string | null;
  readonly details: Readonly<Record<string, unknown>>;
  readonly prevHash: string;
}

export interface AuditEntry extends AuditEntryBody {
  readonly hash: string;
}

export function auditEntryHash(body: AuditEntryBody): string {
  const hashed = {
    v: AUDIT_CHAIN_VERSION,
    chain: body.chain,
    seq: body.seq,
    at: body.at,
    actor: { kind: body.actor.kind, id: body.actor.id },
    action: body.action,
    subject: body.subject,
    details: body.details,
    prevHash: body.prevHash,
  };
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(hashed))));
}

export type AuditProblemKind = 'modified' | 'deleted' | 'reordered' | 'relinked' | 'head-mismatch';

export interface AuditProblem {
  readonly kind: AuditProblemKind;
  /** The seq at which the problem shows. */
  readonly seq: number;
  readonly message: string;
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly entries: number;
  readonly head: { readonly seq: number; readonly hash: string } | null;
  readonly problems: readonly AuditProblem[];
}

/**
 * Verifies one chain given in stored order. Every problem is reported with the seq where it
 * shows, so an auditor sees all of them, not just the first.
 */
export function verifyAuditChain(
  entries: readonly AuditEntry[],
  expectedHead?: { readonly seq: number; readonly hash: string },
): AuditVerification {
  const problems: AuditProblem[] = [];
  let expectedSeq = 1;
  let prevHash = GENESIS_PREV_HASH;
  const chain = entries[0]?.chain;
  for (const entry of entries) {
    if (entry.chain !== chain) {
      problems.push({
        kind: 'reordered',
        seq: entry.seq,
        message: `entry ${entry.seq} belongs to chain ${entry.chain}`,
      });
    }
    if (entry.seq > expectedSeq) {
      problems.push({
        kind: 'deleted',
        seq: entry.seq,
        message: `entries ${expectedSeq}..${entry.seq - 1} are missing`,
      });
    } else if (entry.seq < expectedSeq) {
      problems.push({
        kind: 'reordered',
        seq: entry.seq,
        message: `entry ${entry.seq} appears after entry ${expectedSeq - 1}`,
      });
    }
    if (auditEntryHash(entry) !== entry.hash) {
      problems.push({
        kind: 'modified',
        seq: entry.seq,
        message: `entry ${entry.seq} does not match its hash`,
      });
    } else if (entry.prevHash !== prevHash && entry.seq === expectedSeq) {
      problems.push({
        kind: 'relinked',
        seq: entry.seq,
        message: `entry ${entry.seq} does not follow entry ${entry.seq - 1}: an earlier entry was changed or replaced`,
      });
    }
    prevHash = entry.hash;
    expectedSeq = Math.max(expectedSeq, entry.seq) + 1;
  }
  const last = entries[entries.length - 1];
  const head = last ? { seq: last.seq, hash: last.hash } : null;
  if (expectedHead) {
    const pinned = entries.find((e) => e.seq === expectedHead.seq);
    if (!pinned || pinned.hash !== expectedHead.hash) {
      problems.push({
        kind: 'head-mismatch',
        seq: expectedHead.seq,
        message: `the pinned head (entry ${expectedHead.seq}) is ${pinned ? 'different' : 'missing'}: entries were removed or rewritten`,
      });
    }
  }
  return { ok: problems.length === 0, entries: entries.length, head, problems };
}
