/**
 * The background monitor (issue 6, item 10), one tick every few seconds on every replica; each
 * task is safe to run on several replicas at once:
 *
 * - **Expiry**: requests still open (pending_policy, pending_approval, approved) past their
 *   `expires_at` become `expired`, claimed with FOR UPDATE SKIP LOCKED, each with its audit
 *   entry. (Decisions on an expired request are refused even before the monitor gets there,
 *   and the nodes refuse evidence v2 past its expiry themselves.)
 * - **Stuck signing**: a request in `signing` whose job is no longer running (finished, failed,
 *   or its lease ran out with its replica) gets a new signing job, which runs the session again
 *   with fresh session ids — the nodes draw fresh nonces for every session, so nothing is
 *   reused — choosing another authorised set of connected nodes without those blamed before
 *   (signing-job.ts).
 * - **Node health**: a node is unhealthy while it has been disconnected from every replica for
 *   longer than `disconnectedAfterMs`, or was blamed for `blamedThreshold` failed signing
 *   requests in the last day; each change of judgement is recorded once, in the node's
 *   organisation's audit log (`node.unhealthy`, `node.recovered`), and shown by GET …/nodes.
 *   Serialised across replicas by an advisory lock, so a change is recorded once.
 */
import type { Logger } from 'pino';
import type { Database, Queryable } from '../../store/database.js';
import { withAdvisoryLock } from '../../store/leases.js';
import { appendAudit, SYSTEM_ACTOR } from '../audit/audit-store.js';
import { enqueueJob } from '../jobs/jobs-store.js';
import { SIGNING_JOB } from '../signing/signing-job.js';
import { setRequestStatus } from '../signing/store.js';
import { OPEN_REQUEST_STATUSES } from '@coffer/protocol';

export interface MonitorOptions {
  readonly db: Database;
  readonly logger: Logger;
  /** Between ticks (default 5 s). */
  readonly intervalMs?: number;
  /** A node disconnected from every replica this long is unhealthy (default 5 minutes). */
  readonly disconnectedAfterMs?: number;
  /** Failed signing requests in 24 h naming a node as culprit that make it unhealthy (3). */
  readonly blamedThreshold?: number;
}

export interface TickReport {
  readonly expired: readonly string[];
  readonly restarted: readonly string[];
  readonly healthChanges: readonly { nodeId: string; orgId: string; health: string }[];
}

const BATCH = 100;

export class Monitor {
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<unknown> | undefined;

  constructor(private readonly opts: MonitorOptions) {}

  start(): void {
    this.#timer = setInterval(() => {
      if (this.#tick) return;
      this.#tick = this.tick()
        .catch((error: unknown) => this.opts.logger.error({ err: error }, 'monitor tick failed'))
        .finally(() => (this.#tick = undefined));
    }, this.opts.intervalMs ?? 5_000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#tick;
  }

  /** One pass of every task; returns what it changed. */
  async tick(now = new Date()): Promise<TickReport> {
    const expired = await this.#expire(now);
    const restarted = await this.#restartStuckSigning();
    const healthChanges =
      (await withAdvisoryLock(this.opts.db, 'coffer-monitor-node-health', (tx) =>
        this.#judgeNodes(tx, now),
      )) ?? [];
    for (const id of expired) this.opts.logger.info({ requestId: id }, 'request expired');
    for (const id of restarted) this.opts.logger.warn({ requestId: id }, 'signing restarted');
    for (const change of healthChanges) this.opts.logger.warn(change, 'node health changed');
    return { expired, restarted, healthChanges };
  }

  async #expire(now: Date): Promise<string[]> {
    return this.opts.db.transaction(async (tx) => {
      const rows = await tx.query<{ id: string }>(
        `SELECT id FROM signature_requests
         WHERE status = ANY($1::text[]) AND expires_at <= $2
         ORDER BY expires_at, id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [OPEN_REQUEST_STATUSES, now],
      );
      const expired: string[] = [];
      for (const { id } of rows) {
        if (await setRequestStatus(tx, id, OPEN_REQUEST_STATUSES, 'expired')) expired.push(id);
      }
      return expired;
    });
  }

  /** Requests in `signing` with no live signing job: queue one (row-locked, so once). */
  async #restartStuckSigning(): Promise<string[]> {
    return this.opts.db.transaction(async (tx) => {
      const rows = await tx.query<{ id: string; org_id: string }>(
        `SELECT r.id, r.org_id FROM signature_requests r
         WHERE r.status = 'signing' AND NOT EXISTS (
           SELECT 1 FROM jobs j WHERE j.kind = $1 AND j.subject = r.id
             AND (j.status = 'queued' OR (j.status = 'running' AND j.lease_until > now())))
         ORDER BY r.updated_at, r.id LIMIT ${BATCH} FOR UPDATE OF r SKIP LOCKED`,
        [SIGNING_JOB],
      );
      for (const row of rows) {
        await enqueueJob(tx, SIGNING_JOB, row.id);
        await appendAudit(tx, {
          chain: row.org_id,
          actor: SYSTEM_ACTOR,
          action: 'signature.restarted',
          subject: row.id,
          details: { reason: 'the signing job stopped without an outcome' },
        });
      }
      return rows.map((r) => r.id);
    });
  }

  async #judgeNodes(tx: Queryable, now: Date) {
    const disconnectedAfterMs = this.opts.disconnectedAfterMs ?? 5 * 60_000;
    const threshold = this.opts.blamedThreshold ?? 3;
    const nodes = await tx.query<{
      org_id: string;
      node_id: string;
      health: 'healthy' | 'unhealthy';
      health_reason: string | null;
      connected: boolean | null;
      last_contact_at: Date | null;
      enrolled_at: Date;
      blamed: number;
    }>(
      `SELECT n.org_id, n.node_id, n.health, n.health_reason, n.enrolled_at, c.connected,
         c.last_contact_at,
         (SELECT count(*)::integer FROM signature_requests r
          WHERE r.org_id = n.org_id AND r.status = 'failed' AND r.updated_at > $1
            AND r.failure -> 'culprits' ? n.node_id) AS blamed
       FROM signing_nodes n LEFT JOIN node_contacts c ON c.node_id = n.node_id
       ORDER BY n.org_id, n.node_id`,
      [new Date(now.getTime() - 24 * 3600_000)],
    );
    const changes: { nodeId: string; orgId: string; health: string }[] = [];
    for (const node of nodes) {
      const since = node.last_contact_at ?? node.enrolled_at;
      const away = node.connected !== true && now.getTime() - since.getTime() > disconnectedAfterMs;
      const reasons = [
        ...(away ? [`disconnected since ${since.toISOString()}`] : []),
        ...(node.blamed >= threshold
          ? [`blamed for ${node.blamed} failed signing requests in 24 h`]
          : []),
      ];
      const health = reasons.length > 0 ? 'unhealthy' : 'healthy';
      const reason = reasons.length > 0 ? reasons.join('; ') : null;
      if (health === node.health && (health === 'healthy' || reason === node.health_reason)) {
        continue;
      }
      await tx.query(
        `UPDATE signing_nodes SET health = $3, health_reason = $4, health_changed_at = $5
         WHERE org_id = $1 AND node_id = $2`,
        [node.org_id, node.node_id, health, reason, now],
      );
      if (health !== node.health) {
        await appendAudit(tx, {
          chain: node.org_id,
          actor: SYSTEM_ACTOR,
          action: health === 'unhealthy' ? 'node.unhealthy' : 'node.recovered',
          subject: node.node_id,
          details: reason === null ? {} : { reason },
        });
        changes.push({ nodeId: node.node_id, orgId: node.org_id, health });
      }
    }
    return changes;
  }
}
