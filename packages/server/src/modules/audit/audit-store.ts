/**
 * Appending to and reading the audit log (issue 6, "Audit"). `appendAudit` MUST be given the
 * transaction that makes the change it records: the entry and the change commit together, and
 * if the entry cannot be written the change does not happen. Appends to one chain are
 * serialised by a transaction-scoped advisory lock, so concurrent requests (and server
 * replicas) never fork the chain. Hashing: @coffer/protocol audit-chain.ts.
 */
import {
  GENESIS_PREV_HASH,
  auditEntryHash,
  type AuditActor,
  type AuditEntry,
} from '@coffer/protocol';
import type { Queryable } from '../../store/database.js';
import type { Actor } from '../auth/actor.js';

/** The chain of instance-wide events (bootstrap); organisations' chains are their ids. */
export const INSTANCE_CHAIN = 'instance';

export interface AuditEvent {
  readonly chain: string;
  readonly actor: AuditActor;
  /** `<noun>.<verb>` in the past tense, e.g. `vault.created`, `member.role-changed`. */
  readonly action: string;
  readonly subject?: string | null;
  /** Public facts only (never a secret, token or key share); safe integers, no floats. */
  readonly details?: Readonly<Record<string, unknown>>;
}

interface AuditRow {
  chain: string;
  seq: number;
  at: string;
  actor_kind: AuditActor['kind'];
  actor_id: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

const toEntry = (row: AuditRow): AuditEntry => ({
  chain: row.chain,
  seq: row.seq,
  at: row.at,
  actor: { kind: row.actor_kind, id: row.actor_id },
  action: row.action,
  subject: row.subject,
  details: row.details,
  prevHash: row.prev_hash,
  hash: row.hash,
});

export function auditActorOf(actor: Actor): AuditActor {
  return actor.kind === 'session'
    ? { kind: 'user', id: actor.user.id }
    : { kind: 'api-key', id: actor.apiKeyId };
}

export const SYSTEM_ACTOR: AuditActor = { kind: 'system', id: 'coffer-server' };

export async function appendAudit(tx: Queryable, event: AuditEvent): Promise<AuditEntry> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`coffer-audit:${event.chain}`]);
  const last = await tx.query<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_log WHERE chain = $1 ORDER BY seq DESC LIMIT 1',
    [event.chain],
  );
  const body = {
    chain: event.chain,
    seq: (last[0]?.seq ?? 0) + 1,
    at: new Date().toISOString(),
    actor: event.actor,
    action: event.action,
    subject: event.subject ?? null,
    details: event.details ?? {},
    prevHash: last[0]?.hash ?? GENESIS_PREV_HASH,
  };
  const entry: AuditEntry = { ...body, hash: auditEntryHash(body) };
  await tx.query(
    `INSERT INTO audit_log (chain, seq, at, actor_kind, actor_id, action, subject, details, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10)`,
    [
      entry.chain,
      entry.seq,
      entry.at,
      entry.actor.kind,
      entry.actor.id,
      entry.action,
      entry.subject,
      JSON.stringify(entry.details),
      entry.prevHash,
      entry.hash,
    ],
  );
  return entry;
}

export async function listAudit(
  db: Queryable,
  chain: string,
  after = 0,
  limit = 100_000,
): Promise<AuditEntry[]> {
  const rows = await db.query<AuditRow>(
    `SELECT chain, seq, at, actor_kind, actor_id, action, subject, details, prev_hash, hash
     FROM audit_log WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [chain, after, limit],
  );
  return rows.map(toEntry);
}

export async function auditHead(db: Queryable, chain: string) {
  const rows = await db.query<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_log WHERE chain = $1 ORDER BY seq DESC LIMIT 1',
    [chain],
  );
  return rows[0] ?? null;
}
