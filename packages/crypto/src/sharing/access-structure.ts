/**
 * Access structures: who may act together. Every structure is a threshold tree (CRYPTO.md,
 * "Threshold trees, precisely"): an internal node is "k of its members", a member is a party
 * (a leaf) or a sub-tree. Plain t-of-n Shamir is the one-level tree over p1..pn.
 *
 * Forms:
 * - canonical JSON `{"threshold":2,"members":["p1","p2","p3"]}` (member order is meaningful:
 *   a member's evaluation point is its 1-based position);
 * - text: `2of3` for t-of-n over p1..pn, otherwise `2of(a,b,1of(c,d))`;
 * - a stable hash bound into every protocol transcript;
 * - a human description.
 *
 * Coefficients for a signer set are deterministic, so every party derives the same ones: at
 * each node take the first k authorised members in canonical order; a leaf's λ is the product
 * of Lagrange coefficients at 0 along its path (Benaloh–Leichter recursive Shamir).
 */
import { bytesToHex, transcriptHash } from '../bytes.js';
import type { Group } from '../curves/group.js';
import { CryptoError } from '../errors.js';
import { lagrangeAtZero } from './polynomial.js';

export type PartyId = string;
export type TreeMember = PartyId | ThresholdTree;
export interface ThresholdTree {
  readonly threshold: number;
  readonly members: readonly TreeMember[];
}

/** An internal node of the tree: its path of 1-based member indices from the root. */
export interface TreeNode {
  readonly path: readonly number[];
  /** `path.join('.')`; the root is `""`. */
  readonly key: string;
  readonly threshold: number;
  readonly size: number;
}

const PARTY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_PARTIES = 256;
const MAX_DEPTH = 8;
const MAX_TEXT = 1 << 16;
const HASH_DOMAIN = 'coffer/access-structure/v1';

const invalid = (message: string): CryptoError =>
  new CryptoError('INVALID_ACCESS_STRUCTURE', message);

function validateTree(value: unknown, depth: number, seen: Set<string>): ThresholdTree {
  if (depth > MAX_DEPTH) throw invalid(`tree is deeper than ${MAX_DEPTH} levels`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('a tree node must be an object {"threshold": k, "members": [...]}');
  }
  const extra = Object.keys(value).filter((k) => k !== 'threshold' && k !== 'members');
  if (extra.length > 0) throw invalid(`unknown field(s) in tree node: ${extra.join(', ')}`);
  const { threshold, members } = value as { threshold?: unknown; members?: unknown };
  if (!Array.isArray(members) || members.length === 0) {
    throw invalid('"members" must be a non-empty array');
  }
  if (typeof threshold !== 'number' || !Number.isInteger(threshold)) {
    throw invalid('"threshold" must be an integer');
  }
  if (threshold < 1 || threshold > members.length) {
    throw invalid(`threshold ${threshold} must be between 1 and ${members.length}`);
  }
  const checked: TreeMember[] = members.map((m: unknown) => {
    if (typeof m === 'string') {
      if (!PARTY_NAME.test(m)) {
        throw invalid(`party name "${m}" must match ${PARTY_NAME.source}`);
      }
      if (seen.has(m)) throw invalid(`party "${m}" appears more than once`);
      seen.add(m);
      return m;
    }
    return validateTree(m, depth + 1, seen);
  });
  return { threshold, members: checked };
}

/** Parses `2of(a,b,1of(c,d))`; `NofM` alone stands for N of p1..pM. */
function parseText(text: string): ThresholdTree {
  const src = text.replace(/\s+/g, '');
  const flat = /^(\d+)of(\d+)$/.exec(src);
  if (flat) {
    const n = Number(flat[2]);
    if (n > MAX_PARTIES) throw invalid(`at most ${MAX_PARTIES} parties`);
    return {
      threshold: Number(flat[1]),
      members: Array.from({ length: n }, (_, i) => `p${i + 1}`),
    };
  }
  let pos = 0;
  const fail = (what: string): never => {
    throw invalid(`cannot parse structure "${text}": ${what} at position ${pos}`);
  };
  // Fix: depth is bounded while parsing (not only afterwards in validateTree), so deeply
  // nested text is INVALID_ACCESS_STRUCTURE rather than a stack overflow.
  const node = (depth: number): ThresholdTree => {
    if (depth > MAX_DEPTH) return fail(`tree is deeper than ${MAX_DEPTH} levels`);
    const m = /^(\d+)of\(/.exec(src.slice(pos));
    if (!m) return fail('expected "<k>of("');
    pos += m[0].length;
    const members: TreeMember[] = [];
    for (;;) {
      if (/^\d+of\(/.test(src.slice(pos))) members.push(node(depth + 1));
      else {
        const name = /^[A-Za-z0-9][A-Za-z0-9_.-]*/.exec(src.slice(pos));
        if (!name) return fail('expected a party name or a sub-tree');
        members.push(name[0]);
        pos += name[0].length;
      }
      const c = src[pos++];
      if (c === ')') break;
      if (c !== ',') fail('expected "," or ")"');
    }
    return { threshold: Number(m[1]), members };
  };
  const tree = node(1);
  if (pos !== src.length) fail('unexpected trailing text');
  return tree;
}

function treeText(tree: ThresholdTree): string {
  return `${tree.threshold}of(${tree.members.map((m) => (typeof m === 'string' ? m : treeText(m))).join(',')})`;
}

function describeTree(tree: ThresholdTree, top: boolean): string {
  const leavesOnly = tree.members.every((m) => typeof m === 'string');
  const k = tree.threshold === tree.members.length ? 'all' : String(tree.threshold);
  const parts = tree.members.map((m) => (typeof m === 'string' ? m : describeTree(m, false)));
  const body = leavesOnly ? `{${parts.join(', ')}}` : parts.join(', ');
  const text = `${k} of ${body}`;
  return top ? text : `(${text})`;
}

export class AccessStructure {
  readonly tree: ThresholdTree;
  /** Every party (leaf) in depth-first canonical order. */
  readonly parties: readonly PartyId[];
  /** Internal nodes in depth-first pre-order; `nodes[0]` is the root. */
  readonly nodes: readonly TreeNode[];
  private readonly leafPaths = new Map<PartyId, readonly number[]>();
  private hashCache: Uint8Array | undefined;

  private constructor(tree: ThresholdTree) {
    this.tree = tree;
    const parties: PartyId[] = [];
    const nodes: TreeNode[] = [];
    const walk = (node: ThresholdTree, path: number[]): void => {
      nodes.push({
        path,
        key: path.join('.'),
        threshold: node.threshold,
        size: node.members.length,
      });
      node.members.forEach((m, i) => {
        const childPath = [...path, i + 1];
        if (typeof m === 'string') {
          parties.push(m);
          this.leafPaths.set(m, childPath);
        } else walk(m, childPath);
      });
    };
    walk(tree, []);
    if (parties.length > MAX_PARTIES) throw invalid(`at most ${MAX_PARTIES} parties`);
    this.parties = parties;
    this.nodes = nodes;
  }

  /** Plain t-of-n over parties p1..pn. */
  static threshold(t: number, n: number): AccessStructure {
    return AccessStructure.fromJSON({
      threshold: t,
      members: Array.from({ length: n }, (_, i) => `p${i + 1}`),
    });
  }

  /** Validates a tree in canonical JSON shape (unknown fields rejected). */
  static fromJSON(value: unknown): AccessStructure {
    return new AccessStructure(validateTree(value, 1, new Set()));
  }

  /** Accepts the text form (`2of3`, `2of(a,b,c)`) or a JSON document. */
  static parse(input: string): AccessStructure {
    if (typeof input !== 'string' || input.length > MAX_TEXT) {
      throw invalid(`a structure must be text of at most ${MAX_TEXT} characters`);
    }
    const text = input.trim();
    if (text.startsWith('{')) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw invalid('structure JSON does not parse');
      }
      return AccessStructure.fromJSON(json);
    }
    return AccessStructure.fromJSON(parseText(text));
  }

  /** True when the structure is one level over p1..pn (plain Shamir t-of-n). */
  get isPlainThreshold(): boolean {
    return this.nodes.length === 1 && this.parties.every((p, i) => p === `p${i + 1}`);
  }

  toJSON(): ThresholdTree {
    return this.tree;
  }

  canonicalJson(): string {
    const canon = (t: ThresholdTree): unknown => ({
      threshold: t.threshold,
      members: t.members.map((m) => (typeof m === 'string' ? m : canon(m))),
    });
    return JSON.stringify(canon(this.tree));
  }

  /** Short text form: `2of3` for plain t-of-n, otherwise `2of(a,b,1of(c,d))`. */
  text(): string {
    return this.isPlainThreshold
      ? `${this.tree.threshold}of${this.parties.length}`
      : treeText(this.tree);
  }

  /** SHA-256 over the domain tag and the canonical JSON; bound into every transcript. */
  hash(): Uint8Array {
    this.hashCache ??= transcriptHash(HASH_DOMAIN, this.canonicalJson());
    return this.hashCache.slice();
  }

  hashHex(): string {
    return bytesToHex(this.hash());
  }

  /** For people: "2 of {p1, p2, p3}", "all of (2 of {a, b, c}), (1 of {d, e}), head". */
  describe(): string {
    return describeTree(this.tree, true);
  }

  hasParty(party: PartyId): boolean {
    return this.leafPaths.has(party);
  }

  /**
   * The party's global participant identifier: its 1-based position in `parties`. For plain
   * t-of-n it equals the Shamir evaluation point, as RFC 9591 transcripts expect.
   */
  participantId(party: PartyId): number {
    this.assertParty(party);
    return this.parties.indexOf(party) + 1;
  }

  partyOfParticipantId(id: number): PartyId {
    const party = this.parties[id - 1];
    if (party === undefined) throw new CryptoError('UNKNOWN_PARTY', `no participant ${id}`);
    return party;
  }

  /** Path of 1-based member indices from the root to the party's leaf. */
  pathOf(party: PartyId): readonly number[] {
    this.assertParty(party);
    return this.leafPaths.get(party)!;
  }

  /** The internal node at `path`. */
  nodeAt(path: readonly number[]): TreeNode {
    const key = path.join('.');
    const node = this.nodes.find((n) => n.key === key);
    if (!node) throw new CryptoError('INVALID_ARGUMENT', `no internal node at path "${key}"`);
    return node;
  }

  isAuthorized(set: Iterable<PartyId>): boolean {
    return this.choose(this.checkSet(set)) !== undefined;
  }

  /**
   * The parties whose shares a signer set actually uses: at each node the first k authorised
   * members in canonical order. UNAUTHORIZED_SET, naming the structure, when the set does
   * not satisfy it.
   */
  select(set: Iterable<PartyId>): PartyId[] {
    const members = this.checkSet(set);
    const chosen = this.choose(members);
    if (!chosen) throw this.unauthorized(members);
    return this.parties.filter((p) => chosen.has(p));
  }

  /**
   * λ for every member of the set: Σ λ_i·share_i = secret. Members not chosen by `select`
   * get 0. UNAUTHORIZED_SET for an unauthorised set.
   */
  coefficients(group: Group, set: Iterable<PartyId>): Map<PartyId, bigint> {
    const members = this.checkSet(set);
    const chosen = this.choose(members);
    if (!chosen) throw this.unauthorized(members);
    const out = new Map<PartyId, bigint>();
    const walk = (node: ThresholdTree, factor: bigint): void => {
      const picked = node.members
        .map((m, i) => ({ m, x: BigInt(i + 1) }))
        .filter(({ m }) => this.memberChosen(m, chosen));
      const xs = picked.map((p) => p.x);
      for (const { m, x } of picked) {
        const lambda = group.mod(factor * lagrangeAtZero(group, x, xs));
        if (typeof m === 'string') out.set(m, lambda);
        else walk(m, lambda);
      }
    };
    walk(this.tree, 1n);
    for (const p of members) if (!out.has(p)) out.set(p, 0n);
    return out;
  }

  private memberChosen(m: TreeMember, chosen: ReadonlySet<PartyId>): boolean {
    if (typeof m === 'string') return chosen.has(m);
    const leaves: PartyId[] = [];
    const collect = (t: ThresholdTree): void =>
      t.members.forEach((c) => (typeof c === 'string' ? leaves.push(c) : collect(c)));
    collect(m);
    return leaves.some((l) => chosen.has(l));
  }

  /** Leaves chosen for `members`, or undefined when unauthorised. */
  private choose(members: ReadonlySet<PartyId>): Set<PartyId> | undefined {
    const pick = (node: ThresholdTree): Set<PartyId> | undefined => {
      const chosen = new Set<PartyId>();
      let count = 0;
      for (const m of node.members) {
        if (count === node.threshold) break;
        if (typeof m === 'string') {
          if (members.has(m)) {
            chosen.add(m);
            count++;
          }
        } else {
          const sub = pick(m);
          if (sub) {
            sub.forEach((p) => chosen.add(p));
            count++;
          }
        }
      }
      return count === node.threshold ? chosen : undefined;
    };
    return pick(this.tree);
  }

  private checkSet(set: Iterable<PartyId>): Set<PartyId> {
    const members = new Set<PartyId>();
    for (const p of set) {
      this.assertParty(p);
      if (members.has(p)) throw new CryptoError('INVALID_ARGUMENT', `party "${p}" listed twice`);
      members.add(p);
    }
    return members;
  }

  private assertParty(party: PartyId): void {
    if (!this.leafPaths.has(party)) {
      throw new CryptoError('UNKNOWN_PARTY', `"${party}" is not a party of ${this.text()}`);
    }
  }

  private unauthorized(members: ReadonlySet<PartyId>): CryptoError {
    const list = [...members].join(', ') || 'none';
    return new CryptoError(
      'UNAUTHORIZED_SET',
      `signers {${list}} do not satisfy the access structure ${this.text()} (${this.describe()})`,
    );
  }
}
