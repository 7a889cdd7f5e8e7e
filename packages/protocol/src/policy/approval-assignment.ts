/**
 * Who counts for which group (issue 6, item 4: "a person counts once however many groups they
 * are in"). A requirement tree is expanded into its alternatives — the sets of (group, quorum)
 * that each satisfy it (disjunctive normal form; at most MAX_STAGE_ALTERNATIVES = 64 per
 * stage, enforced by the schema) — and each alternative is an assignment problem: one slot per
 * required approval, each slot filled by a different person who is a member of the slot's
 * group. That is bipartite matching, solved exactly by augmenting paths (Kuhn's algorithm,
 * O(slots × membership edges) per alternative; slots ≤ 16 children × 64 quorum per leaf), so
 * no exponential backtracking is needed and one person in two groups never fills two slots.
 */
import type { ResolvedGroup, ResolvedRequirementNode } from './approval-requirement.js';

export type Alternative = readonly ResolvedGroup[];

/** The tree's alternatives in order (for `any`, the first child's first). */
export function requirementAlternatives(node: ResolvedRequirementNode): Alternative[] {
  if ('group' in node) return [[node]];
  if ('any' in node) return node.any.flatMap(requirementAlternatives);
  return node.all.reduce<Alternative[]>(
    (partial, child) =>
      partial.flatMap((left) => requirementAlternatives(child).map((right) => [...left, ...right])),
    [[]],
  );
}

export type IsMember = (person: string, groupId: string) => boolean;

export interface Matching {
  /** Filled slots: the person in each, in slot order (slot = one required approval of a group). */
  readonly assigned: readonly { readonly person: string; readonly groupId: string }[];
  /** How many approvals each group still lacks. */
  readonly shortfall: ReadonlyMap<string, number>;
  readonly complete: boolean;
}

/** Maximum matching of `people` (in priority order) to the alternative's slots. */
export function matchAlternative(
  alternative: Alternative,
  people: readonly string[],
  isMember: IsMember,
): Matching {
  const slots = alternative.flatMap((leaf) =>
    Array.from({ length: leaf.quorum }, () => leaf.group.id),
  );
  const holder: (number | undefined)[] = slots.map(() => undefined); // slot → index into people
  const augment = (personIndex: number, visited: boolean[]): boolean => {
    const person = people[personIndex] as string;
    for (const [slot, groupId] of slots.entries()) {
      if (visited[slot] || !isMember(person, groupId)) continue;
      visited[slot] = true;
      const current = holder[slot];
      if (current === undefined || augment(current, visited)) {
        holder[slot] = personIndex;
        return true;
      }
    }
    return false;
  };
  let filled = 0;
  for (const index of people.keys()) {
    if (filled === slots.length) break;
    if (
      augment(
        index,
        slots.map(() => false),
      )
    )
      filled++;
  }
  const assigned: { person: string; groupId: string }[] = [];
  const shortfall = new Map<string, number>();
  for (const [slot, groupId] of slots.entries()) {
    const index = holder[slot];
    if (index === undefined) shortfall.set(groupId, (shortfall.get(groupId) ?? 0) + 1);
    else assigned.push({ person: people[index] as string, groupId });
  }
  return { assigned, shortfall, complete: filled === slots.length };
}

/**
 * The first alternative `people` satisfy, with its assignment, or — when none — the one
 * closest to satisfied (fewest missing approvals), for the "missing" text.
 */
export function bestMatching(
  alternatives: readonly Alternative[],
  people: readonly string[],
  isMember: IsMember,
): Matching & { readonly alternative: Alternative } {
  let best: (Matching & { alternative: Alternative }) | null = null;
  for (const alternative of alternatives) {
    const matching = { ...matchAlternative(alternative, people, isMember), alternative };
    if (matching.complete) return matching;
    const missing = (m: Matching) => [...m.shortfall.values()].reduce((a, b) => a + b, 0);
    if (best === null || missing(matching) < missing(best)) best = matching;
  }
  // The schema guarantees at least one alternative (trees have ≥ 1 child).
  if (best === null) throw new Error('requirement has no alternatives');
  return best;
}
