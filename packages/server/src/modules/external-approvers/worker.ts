/**
 * The external-approval worker (issue 6, item 7), started by `startServer` on every replica:
 * claims due calls (FOR UPDATE SKIP LOCKED plus a lease: two replicas never call at once),
 * calls the endpoint, and finishes each call exactly once — answered (its decision goes to the
 * request in the same transaction, with an `external.answered` audit entry) or, at its
 * deadline, timed out (`external.timed-out`, then the stage's onTimeout rule). A failed attempt
 * (unreachable, non-200, malformed, unsigned or mis-signed answer) is retried with exponential
 * backoff and jitter until the deadline.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Resolver } from '../../http/outbound-destination.js';
import type { Database, Queryable } from '../../store/database.js';
import { appendAudit, SYSTEM_ACTOR } from '../audit/audit-store.js';
import { callExternalApprover } from './client.js';
import {
  claimDueCalls,
  finishCall,
  scheduleRetry,
  type DueCall,
  type ExternalCall,
} from './store.js';

export interface ExternalCallOutcomes {
  /** After the call is marked answered, same transaction; true when signing was queued. */
  onAnswer(tx: Queryable, call: ExternalCall, reason: string | null): Promise<boolean>;
  /** After the call is marked timed out, same transaction. */
  onTimeout(tx: Queryable, call: ExternalCall): Promise<void>;
}

export interface ExternalApprovalWorkerOptions {
  readonly db: Database;
  readonly logger: Logger;
  readonly outcomes: ExternalCallOutcomes;
  /** Called when an answer queued signing (the job runner's wake). */
  readonly onSigningQueued?: () => void;
  readonly pollMs?: number;
  readonly attemptTimeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** Call endpoints on private addresses too (COFFER_OUTBOUND_ALLOW_PRIVATE). */
  readonly allowPrivateDestinations?: boolean;
  /** DNS resolution of destinations (tests). */
  readonly resolve?: Resolver;
}

const MAX_BACKOFF_MS = 60_000;

/**
 * Locks the call's request row first: a person's decision locks the request and then its
 * calls (cancelling them), so taking the locks in the same order here avoids a deadlock.
 */
async function lockRequest(tx: Queryable, call: ExternalCall): Promise<void> {
  await tx.query('SELECT 1 FROM signature_requests WHERE id = $1 FOR UPDATE', [call.requestId]);
}

/** Delay before attempt `attempts + 1`: 1 s, 2 s, 4 s … capped at 60 s, ±20 % jitter. */
export function backoffMs(attempts: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + 0.4 * Math.random()));
}

export class ExternalApprovalWorker {
  readonly worker = `external-${randomBytes(6).toString('hex')}`;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;
  #stopped = false;

  constructor(private readonly opts: ExternalApprovalWorkerOptions) {}

  start(): void {
    this.#stopped = false;
    this.#timer = setInterval(() => this.wake(), this.opts.pollMs ?? 1_000);
    this.#timer.unref();
  }

  /** Runs a pass now unless one is running or the worker is stopped. */
  wake(): void {
    if (this.#stopped) return;
    this.#tick ??= this.tick()
      .catch((error: unknown) => this.opts.logger.error({ err: error }, 'external calls failed'))
      .finally(() => (this.#tick = undefined));
  }

  /** Stops polling and waits for the pass in progress (its calls finish or are retried). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#tick;
  }

  /** One pass: every due call claimed now is attempted or timed out. */
  async tick(): Promise<void> {
    const timeout = this.opts.attemptTimeoutMs ?? 10_000;
    const calls = await claimDueCalls(this.opts.db, this.worker, 2 * timeout + 5_000, 16);
    await Promise.all(
      calls.map((call) => this.#handle(call, timeout).catch((error) => this.#release(call, error))),
    );
  }

  /**
   * Recording an outcome failed (its transaction rolled back, the call is still pending): let
   * the call go after the backoff instead of holding it until the lease runs out.
   */
  async #release(call: DueCall, error: unknown): Promise<void> {
    const message = `recording the outcome failed: ${error instanceof Error ? error.message : String(error)}`;
    this.opts.logger.error({ err: error, callId: call.callId }, 'external call not recorded');
    const next = new Date(Date.now() + backoffMs(call.attempts));
    await scheduleRetry(this.opts.db, call.callId, this.worker, next, message);
  }

  async #handle(call: DueCall, timeout: number): Promise<void> {
    const log = this.opts.logger.child({ callId: call.callId, requestId: call.requestId });
    const remaining = call.deadlineAt.getTime() - Date.now();
    if (remaining <= 0) {
      await this.opts.db.transaction(async (tx) => {
        await lockRequest(tx, call);
        if (!(await finishCall(tx, call.callId, { status: 'timed_out' }))) return;
        await appendAudit(tx, {
          chain: call.orgId,
          actor: SYSTEM_ACTOR,
          action: 'external.timed-out',
          subject: call.requestId,
          details: {
            endpointId: call.endpointId,
            callId: call.callId,
            attempts: call.attempts - 1,
          },
        });
        await this.opts.outcomes.onTimeout(tx, call);
      });
      log.warn({ endpointId: call.endpointId }, 'external approver timed out');
      return;
    }
    const result = await callExternalApprover(call, {
      timeoutMs: Math.min(timeout, remaining),
      allowPrivateDestinations: this.opts.allowPrivateDestinations ?? false,
      resolve: this.opts.resolve,
      fetch: this.opts.fetch,
    });
    if (!result.ok) {
      const next = new Date(
        Math.min(Date.now() + backoffMs(call.attempts), call.deadlineAt.getTime()),
      );
      await scheduleRetry(this.opts.db, call.callId, this.worker, next, result.error);
      log.warn(
        { endpointId: call.endpointId, error: result.error },
        'external approver attempt failed',
      );
      return;
    }
    const queued = await this.opts.db.transaction(async (tx) => {
      await lockRequest(tx, call);
      const finished = await finishCall(tx, call.callId, {
        status: 'answered',
        decision: result.decision,
        reason: result.reason,
        signature: result.signature,
      });
      if (!finished) return false;
      await appendAudit(tx, {
        chain: call.orgId,
        actor: { kind: 'system', id: `external:${call.endpointId}` },
        action: 'external.answered',
        subject: call.requestId,
        details: {
          endpointId: call.endpointId,
          callId: call.callId,
          decision: result.decision,
          ...(result.reason === null ? {} : { reason: result.reason }),
        },
      });
      return this.opts.outcomes.onAnswer(tx, call, result.reason);
    });
    if (queued) this.opts.onSigningQueued?.();
    log.info(
      { endpointId: call.endpointId, decision: result.decision },
      'external approver answered',
    );
  }
}
