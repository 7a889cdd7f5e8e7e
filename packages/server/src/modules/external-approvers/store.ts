/**
 * External approvers and their calls (tables `external_approvers`, `external_calls`; issue 6,
 * item 7). A call is created in the transaction that opens its policy stage, claimed by one
 * replica at a time (FOR UPDATE SKIP LOCKED plus a lease), and finished exactly once: answered
 * (the endpoint's signed decision), timed out at its deadline, or cancelled when its request
 * ended some other way.
 */
import { randomBytes } from 'node:crypto';
import type { ExternalApprover, ExternalApproverKey } from '@coffer/protocol';
import type { Queryable } from '../../store/database.js';

interface ApproverRow {
  org_id: string;
  endpoint_id: string;
  name: string;
  url: string;
  public_key: string;
  secret: string;
  created_at: Date;
}

const toView = (row: ApproverRow): ExternalApprover => ({
  id: row.endpoint_id,
  orgId: row.org_id,
  name: row.name,
  url: row.url,
  publicKey: row.public_key,
  createdAt: row.created_at.toISOString(),
});

/** Inserts an endpoint with a new secret; null when the id is taken in the organisation. */
export async function insertExternalApprover(
  tx: Queryable,
  input: {
    orgId: string;
    id: string;
    name: string;
    url: string;
    publicKey: string;
    createdBy: string;
  },
): Promise<{ approver: ExternalApprover; secret: string } | null> {
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const rows = await tx.query<ApproverRow>(
    `INSERT INTO external_approvers (org_id, endpoint_id, name, url, public_key, secret,
       created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id, endpoint_id) DO NOTHING RETURNING *`,
    [input.orgId, input.id, input.name, input.url, input.publicKey, secret, input.createdBy],
  );
  return rows[0] ? { approver: toView(rows[0]), secret } : null;
}

export async function listExternalApprovers(
  db: Queryable,
  orgId: string,
): Promise<ExternalApprover[]> {
  const rows = await db.query<ApproverRow>(
    'SELECT * FROM external_approvers WHERE org_id = $1 ORDER BY endpoint_id',
    [orgId],
  );
  return rows.map(toView);
}

export async function findExternalApprover(
  db: Queryable,
  orgId: string,
  id: string,
): Promise<ExternalApprover | null> {
  const rows = await db.query<ApproverRow>(
    'SELECT * FROM external_approvers WHERE org_id = $1 AND endpoint_id = $2',
    [orgId, id],
  );
  return rows[0] ? toView(rows[0]) : null;
}

export async function deleteExternalApprover(
  tx: Queryable,
  orgId: string,
  id: string,
): Promise<boolean> {
  const rows = await tx.query(
    'DELETE FROM external_approvers WHERE org_id = $1 AND endpoint_id = $2 RETURNING endpoint_id',
    [orgId, id],
  );
  return rows.length > 0;
}

/** The answer keys of the organisation's endpoints, for published policy directories. */
export async function externalApproverKeys(
  db: Queryable,
  orgId: string,
): Promise<ExternalApproverKey[]> {
  const rows = await db.query<{ endpoint_id: string; public_key: string }>(
    'SELECT endpoint_id, public_key FROM external_approvers WHERE org_id = $1 ORDER BY endpoint_id',
    [orgId],
  );
  return rows.map((r) => ({ endpointId: r.endpoint_id, publicKey: r.public_key }));
}

export interface ExternalCall {
  readonly callId: string;
  readonly orgId: string;
  readonly requestId: string;
  readonly endpointId: string;
  readonly stage: number;
  readonly onTimeout: 'fail' | 'retry';
  readonly payload: Record<string, unknown>;
  readonly attempts: number;
  readonly deadlineAt: Date;
}

/** A claimed call with where to send it. */
export interface DueCall extends ExternalCall {
  readonly url: string | null;
  readonly secret: string | null;
  readonly publicKey: string | null;
}

export async function insertExternalCall(
  tx: Queryable,
  input: Omit<ExternalCall, 'attempts'>,
): Promise<void> {
  await tx.query(
    `INSERT INTO external_calls (call_id, org_id, request_id, endpoint_id, stage, on_timeout,
       status, payload, next_attempt_at, deadline_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7::jsonb, now(), $8)`,
    [
      input.callId,
      input.orgId,
      input.requestId,
      input.endpointId,
      input.stage,
      input.onTimeout,
      JSON.stringify(input.payload),
      input.deadlineAt,
    ],
  );
}

/** Whether a call for this stage of the request is pending or answered already. */
export async function stageHasCall(
  db: Queryable,
  requestId: string,
  stage: number,
): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM external_calls
     WHERE request_id = $1 AND stage = $2 AND status IN ('pending', 'answered')`,
    [requestId, stage],
  );
  return rows.length > 0;
}

interface CallRow {
  call_id: string;
  org_id: string;
  request_id: string;
  endpoint_id: string;
  stage: number;
  on_timeout: 'fail' | 'retry';
  payload: Record<string, unknown>;
  attempts: number;
  deadline_at: Date;
  url: string | null;
  secret: string | null;
  public_key: string | null;
}

/**
 * Claims up to `limit` pending calls that are due and not leased by a live worker, leasing
 * them to `worker` for `leaseMs`. Retries are never scheduled past the deadline, so a call is
 * due again at its deadline at the latest (and then times out).
 */
export async function claimDueCalls(
  db: Queryable,
  worker: string,
  leaseMs: number,
  limit: number,
): Promise<DueCall[]> {
  const endpoint = (column: string) =>
    `(SELECT a.${column} FROM external_approvers a
      WHERE a.org_id = c.org_id AND a.endpoint_id = c.endpoint_id) AS ${column}`;
  const rows = await db.query<CallRow>(
    `WITH due AS (
       SELECT call_id FROM external_calls
       WHERE status = 'pending' AND next_attempt_at <= now()
         AND (lease_until IS NULL OR lease_until < now())
       ORDER BY next_attempt_at, call_id LIMIT $3 FOR UPDATE SKIP LOCKED)
     UPDATE external_calls c SET leased_by = $1,
       lease_until = now() + ($2::integer * interval '1 millisecond'), attempts = c.attempts + 1
     FROM due WHERE c.call_id = due.call_id
     RETURNING c.*, ${endpoint('url')}, ${endpoint('secret')}, ${endpoint('public_key')}`,
    [worker, leaseMs, limit],
  );
  return rows.map((r) => ({
    callId: r.call_id,
    orgId: r.org_id,
    requestId: r.request_id,
    endpointId: r.endpoint_id,
    stage: r.stage,
    onTimeout: r.on_timeout,
    payload: r.payload,
    attempts: r.attempts,
    deadlineAt: r.deadline_at,
    url: r.url,
    secret: r.secret,
    publicKey: r.public_key,
  }));
}

/** Releases a failed attempt until `nextAt`; false if the call is no longer this worker's. */
export async function scheduleRetry(
  db: Queryable,
  callId: string,
  worker: string,
  nextAt: Date,
  error: string,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE external_calls SET next_attempt_at = $3, last_error = $4, leased_by = NULL,
       lease_until = NULL
     WHERE call_id = $1 AND leased_by = $2 AND status = 'pending' RETURNING call_id`,
    [callId, worker, nextAt, error.slice(0, 500)],
  );
  return rows.length > 0;
}

/** Ends a pending call once (false if it ended already). */
export async function finishCall(
  tx: Queryable,
  callId: string,
  outcome:
    | {
        status: 'answered';
        decision: 'approve' | 'reject';
        reason: string | null;
        signature: string;
      }
    | { status: 'timed_out' | 'cancelled'; error?: string },
): Promise<boolean> {
  const answered = outcome.status === 'answered' ? outcome : null;
  const rows = await tx.query(
    `UPDATE external_calls SET status = $2, decision = $3, reason = $4, signature = $5,
       answered_at = CASE WHEN $2 = 'answered' THEN now() ELSE NULL END,
       last_error = COALESCE($6, last_error), leased_by = NULL, lease_until = NULL
     WHERE call_id = $1 AND status = 'pending' RETURNING call_id`,
    [
      callId,
      outcome.status,
      answered?.decision ?? null,
      answered?.reason ?? null,
      answered?.signature ?? null,
      'error' in outcome ? (outcome.error ?? null) : null,
    ],
  );
  return rows.length > 0;
}

/** Cancels the pending calls of a request that ended some other way. */
export async function cancelPendingCalls(tx: Queryable, requestId: string): Promise<void> {
  await tx.query(
    `UPDATE external_calls SET status = 'cancelled', leased_by = NULL, lease_until = NULL
     WHERE request_id = $1 AND status = 'pending'`,
    [requestId],
  );
}

export interface ExternalAnswerRecord {
  readonly endpointId: string;
  readonly callId: string;
  readonly decision: 'approve' | 'reject';
  readonly reason: string | null;
  readonly signature: string;
  readonly at: Date;
}

/** The answered calls of a request, oldest first. */
export async function answersOf(db: Queryable, requestId: string): Promise<ExternalAnswerRecord[]> {
  const rows = await db.query<{
    endpoint_id: string;
    call_id: string;
    decision: 'approve' | 'reject';
    reason: string | null;
    signature: string;
    answered_at: Date;
  }>(
    `SELECT endpoint_id, call_id, decision, reason, signature, answered_at FROM external_calls
     WHERE request_id = $1 AND status = 'answered' ORDER BY answered_at, call_id`,
    [requestId],
  );
  return rows.map((r) => ({
    endpointId: r.endpoint_id,
    callId: r.call_id,
    decision: r.decision,
    reason: r.reason,
    signature: r.signature,
    at: r.answered_at,
  }));
}
