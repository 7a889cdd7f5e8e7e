/**
 * The velocity history a request is judged with (issue 6, item 3; protocol velocity.ts): the
 * organisation's earlier requests inside the longest velocity window of the policy, counted
 * as POLICY.md recommends — every request not rejected, cancelled, expired or failed, so
 * pending requests count and a limit cannot be beaten by splitting one transfer into many.
 * The same records go to the signing nodes in evidence v2, so they reach the same decision.
 */
import {
  velocityHistoryOf,
  type Intent,
  type Initiator,
  type PolicyDocument,
  type VelocityHistory,
  type VelocityRecord,
} from '@coffer/protocol';
import type { Queryable } from '../../store/database.js';

/** The rule id recorded for requests the genesis policy judged (no rule of any version). */
export const GENESIS_RULE = ':genesis-policy';

const COUNTED = ['pending_approval', 'approved', 'signing', 'signed', 'broadcast', 'confirmed'];

/** The longest velocity window of any rule, in seconds (0: the policy has none). */
export function longestWindowSeconds(policy: PolicyDocument): number {
  return Math.max(0, ...policy.rules.map((r) => r.conditions.velocity?.windowSeconds ?? 0));
}

/** Earlier requests of `orgId` created in [now − longest window, now), oldest first. */
export async function velocityRecords(
  db: Queryable,
  orgId: string,
  policy: PolicyDocument,
  now: Date,
  excludeRequestId?: string,
): Promise<VelocityRecord[]> {
  const window = longestWindowSeconds(policy);
  if (window === 0) return [];
  const rows = await db.query<{
    id: string;
    created_at: Date;
    intent: Intent;
    initiator: Initiator;
    decision: { ruleId: string | null };
  }>(
    `SELECT id, created_at, intent, initiator, decision FROM signature_requests
     WHERE org_id = $1 AND status = ANY($2::text[]) AND created_at >= $3 AND created_at < $4
     ORDER BY created_at, id`,
    [orgId, COUNTED, new Date(now.getTime() - window * 1000), now],
  );
  return rows
    .filter((r) => r.id !== excludeRequestId)
    .map((r) => ({
      at: r.created_at.toISOString(),
      ruleId: r.decision.ruleId ?? GENESIS_RULE,
      initiator: { kind: r.initiator.kind, id: r.initiator.id },
      vaultId: r.intent.source.vaultId,
      chain: r.intent.chain,
      asset: r.intent.asset,
      amount: r.intent.amount,
    }));
}

/** The engine's `VelocityHistory` over records (from the database or from evidence). */
export function historyOf(records: readonly VelocityRecord[]): VelocityHistory {
  return velocityHistoryOf(records.map((r) => ({ ...r, at: new Date(r.at) })));
}
