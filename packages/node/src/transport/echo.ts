/**
 * Broadcast consistency by echo (issue 4: "broadcasts get an echo/consistency check"). A
 * relay — or a malicious sender — could show different receivers different "broadcasts".
 * After a broadcast round every participant echoes its view: for each sender, the record
 * (seq, SHA-256(body), sender's signature) it accepted. Because the envelope signature is
 * over the header and SHA-256(body) (envelope.ts), each record is verifiable on its own, so
 * two different records from one sender are a proof of equivocation (culprit: the sender),
 * and a record whose signature fails proves the echoer forged it (culprit: the echoer). A
 * record present in some views and missing in others is not attributable (the relay may
 * have dropped it, or the sender withheld it). Modelled on the echo broadcast of
 * Goldwasser–Lindell ("Secure MPC without agreement", 2005), one echo round, abort on
 * inconsistency; it does not give agreement, only detection — which is what signing needs.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes } from '@noble/curves/utils.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { BROADCAST, lengthPrefixed, verifySignedHash } from './envelope.js';
import type { Envelope } from './envelope.js';
import { TransportError } from './errors.js';
import type { Directory } from './identity-types.js';

/** One accepted broadcast, as echoed: enough to re-verify the sender's signature. */
export interface BroadcastRecord {
  readonly from: string;
  readonly seq: number;
  readonly bodyHash: Uint8Array;
  readonly signature: Uint8Array;
}

/** What one participant saw in one broadcast round. */
export interface EchoView {
  readonly session: string;
  readonly records: readonly BroadcastRecord[];
}

const DIGEST_DOMAIN = utf8ToBytes('coffer/transport/echo/v1');

export function broadcastRecord(env: Envelope): BroadcastRecord {
  if (env.kind !== 'broadcast') throw new TransportError('INVALID_ARGUMENT', 'not a broadcast');
  return { from: env.from, seq: env.seq, bodyHash: sha256(env.body), signature: env.signature };
}

/** H(all broadcasts seen this round): the quick comparison of two views. */
export function echoDigest(view: EchoView): Uint8Array {
  const sorted = [...view.records].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const parts: Uint8Array[] = [DIGEST_DOMAIN, hexToBytes(view.session)];
  for (const r of sorted) parts.push(utf8ToBytes(r.from), utf8ToBytes(String(r.seq)), r.bodyHash);
  return sha256(lengthPrefixed(...parts));
}

export function encodeEchoView(view: EchoView): Uint8Array {
  const records = view.records.map((r) => ({
    from: r.from,
    seq: r.seq,
    bodyHash: bytesToHex(r.bodyHash),
    sig: bytesToHex(r.signature),
  }));
  return utf8ToBytes(JSON.stringify({ v: 1, session: view.session, records }));
}

/** Strict decoding of an echo payload received from `echoer`. */
export function decodeEchoView(bytes: Uint8Array, echoer: string): EchoView {
  const bad = (): never => {
    throw new TransportError('BAD_ECHO', 'malformed echo view', {
      sender: echoer,
      culprits: [echoer],
    });
  };
  let o: unknown;
  try {
    o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return bad();
  }
  if (typeof o !== 'object' || o === null) return bad();
  const { v, session, records, ...rest } = o as Record<string, unknown>;
  if (v !== 1 || typeof session !== 'string' || !Array.isArray(records)) return bad();
  if (Object.keys(rest).length > 0) bad();
  const out: BroadcastRecord[] = [];
  for (const r of records as unknown[]) {
    if (typeof r !== 'object' || r === null) return bad();
    const { from, seq, bodyHash, sig, ...extra } = r as Record<string, unknown>;
    if (Object.keys(extra).length > 0 || typeof from !== 'string') return bad();
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return bad();
    if (typeof bodyHash !== 'string' || !/^[0-9a-f]{64}$/.test(bodyHash)) return bad();
    if (typeof sig !== 'string' || !/^[0-9a-f]{128}$/.test(sig)) return bad();
    out.push({ from, seq, bodyHash: hexToBytes(bodyHash), signature: hexToBytes(sig) });
  }
  return { session, records: out };
}

export interface BroadcastEchoOptions {
  readonly session: string;
  /** Every node expected to broadcast and to echo in this round (including self). */
  readonly participants: readonly string[];
  readonly directory: Directory;
}

/** Collects one round's views (own and echoed) and checks them against each other. */
export class BroadcastEcho {
  readonly #own = new Map<string, BroadcastRecord>();
  readonly #views = new Map<string, EchoView>();

  constructor(private readonly opts: BroadcastEchoOptions) {}

  /** Records a broadcast this node sent or accepted (via the inbox) in this round. */
  record(env: Envelope): void {
    if (env.session !== this.opts.session) {
      throw new TransportError('INVALID_ARGUMENT', 'broadcast from another session');
    }
    this.#own.set(env.from, broadcastRecord(env));
  }

  /** This node's view, to be sent to the others (e.g. as a broadcast envelope). */
  view(): EchoView {
    return { session: this.opts.session, records: [...this.#own.values()] };
  }

  /** Adds the view echoed by `echoer` (the echo's own envelope authenticated it). */
  addEcho(echoer: string, view: EchoView): void {
    if (!this.opts.participants.includes(echoer)) {
      throw new TransportError('INVALID_ARGUMENT', `${echoer} is not a participant`);
    }
    this.#views.set(echoer, view);
  }

  /** Participants whose echo has not arrived yet. */
  pending(self: string): string[] {
    return this.opts.participants.filter((p) => p !== self && !this.#views.has(p));
  }

  /**
   * Compares this node's view (as `self`) with every echo. Throws BAD_ECHO (culprit: the
   * echoer), EQUIVOCATION (culprit: the sender, provable) or INCONSISTENT_BROADCAST (not
   * attributable). Returns normally when every view holds the same records.
   */
  check(self: string): void {
    const views = new Map(this.#views);
    views.set(self, this.view());
    const ownDigest = echoDigest(this.view());
    if ([...views.values()].every((v) => equalBytes(echoDigest(v), ownDigest))) {
      if (views.size === this.opts.participants.length) return;
    }
    for (const [echoer, view] of views) this.#verifyView(echoer, view);
    for (const sender of this.opts.participants) {
      const seen = new Map<string, BroadcastRecord>();
      const missingAt: string[] = [];
      for (const [echoer, view] of views) {
        const recs = view.records.filter((r) => r.from === sender);
        if (recs.length === 0 && echoer !== sender) missingAt.push(echoer);
        for (const r of recs) seen.set(`${r.seq}:${bytesToHex(r.bodyHash)}`, r);
      }
      if (seen.size > 1) {
        throw new TransportError(
          'EQUIVOCATION',
          `${sender} signed ${seen.size} different broadcasts in one round`,
          { sender, culprits: [sender] },
        );
      }
      if (seen.size === 1 && missingAt.length > 0) {
        throw new TransportError(
          'INCONSISTENT_BROADCAST',
          `broadcast of ${sender} missing at ${missingAt.join(', ')}`,
          { sender },
        );
      }
    }
    const absent = this.opts.participants.filter((p) => p !== self && !views.has(p));
    if (absent.length > 0) {
      throw new TransportError('INCONSISTENT_BROADCAST', `no echo from ${absent.join(', ')}`);
    }
  }

  #verifyView(echoer: string, view: EchoView): void {
    const forged = (why: string): never => {
      throw new TransportError('BAD_ECHO', `echo from ${echoer}: ${why}`, {
        sender: echoer,
        culprits: [echoer],
      });
    };
    if (view.session !== this.opts.session) forged('wrong session');
    for (const r of view.records) {
      const key = this.opts.participants.includes(r.from)
        ? this.opts.directory.get(r.from)
        : undefined;
      if (!key) return forged(`record from non-participant ${r.from}`);
      const header = {
        v: 1,
        session: view.session,
        from: r.from,
        to: BROADCAST,
        seq: r.seq,
        kind: 'broadcast',
      } as const;
      const ok = verifySignedHash(header, r.bodyHash, r.signature, key.signingPublicKey);
      if (!ok) forged(`record of ${r.from} is not signed by ${r.from}`);
    }
  }
}
