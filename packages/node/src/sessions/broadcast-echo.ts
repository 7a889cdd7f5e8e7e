/**
 * The runner's broadcast consistency check (issue 4, "Transport": "broadcasts get an
 * echo/consistency check"). A relay cannot forge a broadcast, but a malicious sender can sign
 * two different bodies for the same stream position and hand each to different peers
 * (equivocation) — e.g. two FROST round-1 commitments, after which honest signers would
 * compute shares over different commitment lists. So after every broadcast round, before the
 * driver acts on the round's messages, each participant broadcasts one echo: the list of
 * broadcast records of that round it holds (its own and every peer's), each record being
 * (sender node, seq, SHA-256(body), sender's Ed25519 signature) — exactly what the sender
 * signed (transport/envelope.ts `signingBytesFromHash`), so every record is verifiable on
 * its own. Every participant then compares all echoes with its own view:
 *
 *  - all equal → proceed (the common case costs one small broadcast per party per round);
 *  - a record that does not verify under its claimed sender's enrolled key → the echoer
 *    forged it (BAD_ECHO, culprit the echoer, whose echo envelope is itself signed);
 *  - two verified records of one sender with the same seq and different body hashes → the
 *    sender signed both, a proof of equivocation (EQUIVOCATION, culprit the sender);
 *  - any other difference (a record missing somewhere, other seqs) → not attributable: the
 *    relay may have dropped a message (INCONSISTENT_BROADCAST, no culprit).
 *
 * Equivocation is judged per (sender, seq) only, so an echoer cannot frame an honest sender
 * by quoting its genuine broadcast of another round. This is the echo broadcast of
 * Goldwasser–Lindell ("Secure multi-party computation without agreement", J. Cryptology
 * 2005): it gives detection with abort, not agreement — enough for signing, where an honest
 * party must never act on a broadcast value that another honest party saw differently.
 */
import type { PartyId } from '@coffer/crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { BROADCAST, verifySignedHash, type Envelope } from '../transport/envelope.js';
import type { Directory } from '../transport/identity-types.js';
import { SessionAborted } from './errors.js';
import type { ProtocolName } from './types.js';

/**
 * Protocols that echo their broadcasts themselves, so the runner adds no echo round: the
 * Pedersen DKG (and DKLs23 keygen on top of it) carries every round-1 broadcast's hash in
 * round 2 and aborts on a mismatch (packages/crypto dkg/finalize.ts, step 1).
 */
export const PROTOCOL_ECHOED: ReadonlySet<ProtocolName> = new Set(['dkg', 'dkls23-keygen']);

/** One broadcast as echoed: the signed header fields that vary, the body hash, the signature. */
export interface EchoRecord {
  /** The sender's node id (the envelope's `from`). */
  readonly from: string;
  readonly seq: number;
  /** SHA-256(body), lowercase hex. */
  readonly bodyHash: string;
  /** The sender's Ed25519 signature over the envelope, lowercase hex. */
  readonly signature: string;
}

/** Most records an echo may carry (one per participant and broadcast of a round). */
export const MAX_ECHO_RECORDS = 64;

/** The echo record of a verified (or own) broadcast envelope. */
export function echoRecordOf(envelope: Envelope): EchoRecord {
  return {
    from: envelope.from,
    seq: envelope.seq,
    bodyHash: bytesToHex(sha256(envelope.body)),
    signature: bytesToHex(envelope.signature),
  };
}

/** Strictly parses an echo's record list; undefined when malformed. */
export function parseEchoRecords(value: unknown): EchoRecord[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_ECHO_RECORDS) return undefined;
  const out: EchoRecord[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
    const r = item as Record<string, unknown>;
    if (Object.keys(r).sort().join(',') !== 'bodyHash,from,seq,signature') return undefined;
    if (typeof r.from !== 'string' || r.from.length === 0 || r.from.length > 64) return undefined;
    if (!Number.isSafeInteger(r.seq) || (r.seq as number) < 0) return undefined;
    if (typeof r.bodyHash !== 'string' || !/^[0-9a-f]{64}$/.test(r.bodyHash)) return undefined;
    if (typeof r.signature !== 'string' || !/^[0-9a-f]{128}$/.test(r.signature)) return undefined;
    out.push({ from: r.from, seq: r.seq as number, bodyHash: r.bodyHash, signature: r.signature });
  }
  return out;
}

/** Canonical form of a view (order-independent), for the quick equality test. */
function canonical(records: readonly EchoRecord[]): string {
  return records
    .map((r) => `${r.from}/${r.seq}/${r.bodyHash}`)
    .sort()
    .join('|');
}

export interface EchoCheckInput {
  readonly sessionId: string;
  readonly round: number;
  /** This node's view: its own broadcast(s) of the round and the ones it accepted. */
  readonly own: readonly EchoRecord[];
  /** Every other participant's echoed view, by party. */
  readonly echoes: ReadonlyMap<PartyId, readonly EchoRecord[]>;
  /** Participant node id → party. */
  readonly partyOfNode: ReadonlyMap<string, PartyId>;
  readonly directory: Directory;
}

/**
 * Throws a `SessionAborted` unless every echo equals this node's view (see the file
 * comment for the attribution rules). Pure: no I/O, no secrets involved.
 */
export function checkBroadcastEchoes(input: EchoCheckInput): void {
  const { round, own, echoes } = input;
  const mine = canonical(own);
  if ([...echoes.values()].every((view) => canonical(view) === mine)) return;

  // 1. Every echoed record must be genuinely signed by its claimed sender.
  for (const [echoer, view] of echoes) {
    for (const r of view) {
      if (!verifies(input, r)) {
        throw new SessionAborted(
          'PROTOCOL_FAULT',
          `round-${round} echo holds a broadcast record its sender never signed`,
          { culprits: [echoer], reason: 'BAD_ECHO' },
        );
      }
    }
  }
  // 2. Two signed bodies for one (sender, seq): the sender equivocated.
  const bodies = new Map<string, Set<string>>();
  for (const r of [...own, ...[...echoes.values()].flat()]) {
    const slot = `${r.from}/${r.seq}`;
    const set = bodies.get(slot) ?? new Set<string>();
    set.add(r.bodyHash);
    bodies.set(slot, set);
  }
  const equivocators = new Set<PartyId>();
  for (const [slot, hashes] of bodies) {
    if (hashes.size < 2) continue;
    const party = input.partyOfNode.get(slot.slice(0, slot.lastIndexOf('/')));
    if (party !== undefined) equivocators.add(party);
  }
  if (equivocators.size > 0) {
    throw new SessionAborted(
      'PROTOCOL_FAULT',
      `round-${round} broadcast signed with two different bodies`,
      { culprits: [...equivocators].sort(), reason: 'EQUIVOCATION' },
    );
  }
  // 3. Different views without a proof: nobody can be blamed (the relay may have dropped one).
  const differing = [...echoes].filter(([, view]) => canonical(view) !== mine).map(([p]) => p);
  throw new SessionAborted(
    'INCONSISTENT_BROADCAST',
    `round-${round} broadcasts seen differently by ${differing.sort().join(', ')}`,
    { reason: 'INCONSISTENT_BROADCAST' },
  );
}

function verifies(input: EchoCheckInput, r: EchoRecord): boolean {
  if (!input.partyOfNode.has(r.from)) return false;
  const sender = input.directory.get(r.from);
  if (sender === undefined) return false;
  const header = {
    v: 1,
    session: input.sessionId,
    from: r.from,
    to: BROADCAST,
    seq: r.seq,
    kind: 'broadcast',
  } as const;
  return verifySignedHash(
    header,
    hexToBytes(r.bodyHash),
    hexToBytes(r.signature),
    sender.signingPublicKey,
  );
}
