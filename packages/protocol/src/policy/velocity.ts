/**
 * Velocity history (issue 6, item 3: "sum over a rolling window"). The engine stays pure: the
 * amounts already spent are an input the caller supplies through `VelocityHistory`. The
 * server answers from its request table; a signing node from its own ledger of what it signed.
 * `velocityHistoryOf` is the reference implementation over a list of past requests, used by
 * tests and by callers that load the window's requests first.
 *
 * Contract of `sum`: the total, in base units, of the requests created at or after
 * `windowStart` (inclusive) and before the request being judged, of the same chain and asset
 * (base units of different assets do not add up) and in the scope: the same initiator, the
 * same vault, or — scope `rule` — decided by rule `ruleId`. Which requests count is the
 * caller's choice; POLICY.md recommends every request not blocked, rejected, cancelled,
 * expired or failed, so pending requests count and a limit cannot be beaten by splitting.
 */
import type { VelocityCondition } from './conditions.js';
import { addressKey } from './identifiers.js';
import type { Initiator } from './intent.js';

export type VelocityScope =
  | {
      readonly by: 'initiator';
      readonly initiator: Pick<Initiator, 'kind' | 'id'>;
      readonly chain: string;
      readonly asset: string;
    }
  | {
      readonly by: 'vault';
      readonly vaultId: string;
      readonly chain: string;
      readonly asset: string;
    }
  | { readonly by: 'rule'; readonly chain: string; readonly asset: string };

export interface VelocityHistory {
  sum(scope: VelocityScope, windowStart: Date, ruleId: string): bigint;
}

/** A past request as the reference history sees it. */
export interface VelocityEntry {
  readonly at: Date;
  readonly ruleId: string;
  readonly initiator: Pick<Initiator, 'kind' | 'id'>;
  readonly vaultId: string;
  readonly chain: string;
  readonly asset: string;
  /** Base units, decimal. */
  readonly amount: string;
}

function inScope(entry: VelocityEntry, scope: VelocityScope, ruleId: string): boolean {
  if (entry.chain !== scope.chain || addressKey(entry.asset) !== addressKey(scope.asset))
    return false;
  switch (scope.by) {
    case 'initiator':
      return (
        entry.initiator.kind === scope.initiator.kind && entry.initiator.id === scope.initiator.id
      );
    case 'vault':
      return entry.vaultId === scope.vaultId;
    case 'rule':
      return entry.ruleId === ruleId;
  }
}

/** The reference `VelocityHistory` over past requests (all created before the one judged). */
export function velocityHistoryOf(entries: readonly VelocityEntry[]): VelocityHistory {
  return {
    sum(scope, windowStart, ruleId) {
      let total = 0n;
      for (const entry of entries) {
        if (entry.at.getTime() >= windowStart.getTime() && inScope(entry, scope, ruleId)) {
          total += BigInt(entry.amount);
        }
      }
      return total;
    },
  };
}

/** The window [now − windowSeconds, now] starts here (inclusive). */
export function velocityWindowStart(condition: VelocityCondition, now: Date): Date {
  return new Date(now.getTime() - condition.windowSeconds * 1000);
}
