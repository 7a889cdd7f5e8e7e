/**
 * Judging a session from its participants' outcomes: it succeeded only when every node
 * completed with the same public output (byte-identical JSON: the same public key, key
 * package and transcript). Otherwise the failure names a reason and the culprits as node ids
 * — the parties the nodes blamed (mapped through the session's participants), nodes that were
 * lost (disconnected, no report), or, when the nodes disagree on the output, every node.
 */
import type { Failure } from '@coffer/protocol';
import type { ParticipantOutcome } from './coordinator.js';

export type SessionVerdict<T> =
  { readonly ok: true; readonly output: T } | { readonly ok: false; readonly failure: Failure };

export function judgeSession<T>(
  outcomes: ReadonlyMap<string, ParticipantOutcome>,
  participants: Readonly<Record<string, string>>,
): SessionVerdict<T> {
  const culprits = new Set<string>();
  const reasons: string[] = [];
  const outputs = new Set<string>();
  for (const [nodeId, outcome] of outcomes) {
    if (outcome.status === 'completed') {
      outputs.add(JSON.stringify(outcome.output));
    } else if (outcome.status === 'lost') {
      culprits.add(nodeId);
      reasons.push(outcome.message);
    } else {
      for (const party of outcome.culprits) culprits.add(participants[party] ?? party);
      const why = outcome.reason ? `${outcome.code}/${outcome.reason}` : outcome.code;
      reasons.push(`node ${nodeId} aborted: ${why}: ${outcome.message}`);
    }
  }
  if (reasons.length > 0) {
    return { ok: false, failure: { reason: reasons.join('; '), culprits: [...culprits].sort() } };
  }
  if (outputs.size !== 1) {
    return {
      ok: false,
      failure: {
        reason: 'the nodes reported different outputs',
        culprits: [...outcomes.keys()].sort(),
      },
    };
  }
  return { ok: true, output: JSON.parse([...outputs][0]!) as T };
}
