/**
 * The contract between the session runner and the protocol drivers (issue 4, "Sessions"):
 * a driver adapts one protocol's pure round functions (packages/crypto) to
 * `start(ctx, params) → { state, outbound, expect }` and
 * `step(ctx, state, inbound) → { state, outbound, expect } | { done }`. `state` is the
 * serialised secret state the runner seals in the keystore before any outbound message
 * leaves the node; `expect` is how many messages the next round needs from every other
 * participant. Payloads are the JSON of the crypto message codecs.
 */
import type { PartyId, UsageLedger } from '@coffer/crypto';
import type { Keystore } from '../keystore/index.js';

export const PROTOCOL_NAMES = [
  'dkg',
  'frost-sign',
  'dkls23-keygen',
  'dkls23-sign',
  'dkls23-presign',
  'dkls23-finish',
] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

/** Protocols that release a signature: the node joins them only with valid evidence. */
export const SIGNING_PROTOCOLS: ReadonlySet<ProtocolName> = new Set([
  'frost-sign',
  'dkls23-sign',
  'dkls23-finish',
]);

/** One outbound protocol message: to one party, or '*' for every other participant. */
export interface WireMessage {
  readonly to: PartyId; // a party, or '*' for every other participant
  readonly payload: string;
}

/** One inbound protocol message, authenticated by the transport and mapped to its party. */
export interface InboundMessage {
  readonly from: PartyId;
  /** True when it came as a broadcast ('*'), false when addressed to this party only. */
  readonly broadcast: boolean;
  readonly payload: string;
}

/** What a driver may use: the session, its own party, the participants, storage, ledger. */
export interface DriverContext {
  /** Lowercase hex, 16..64 bytes, unique per session. */
  readonly sessionId: string;
  readonly self: PartyId;
  /** Every participant of the session (self included), in the request's order. */
  readonly parties: readonly PartyId[];
  readonly keystore: Keystore;
  /** Durable: an id consumed here stays consumed across restarts. */
  readonly ledger: UsageLedger;
}

export interface RoundOutput {
  readonly state: string;
  readonly outbound: readonly WireMessage[];
  /** Messages the next round needs from each other participant. */
  readonly expect: number;
}

export type StepOutput<O> = RoundOutput | { readonly done: O };

export interface ProtocolDriver<P = unknown, O = unknown> {
  readonly protocol: ProtocolName;
  /**
   * Validates untrusted request params against the participants; throws
   * CryptoError('INVALID_ARGUMENT') if bad.
   */
  parseParams(value: unknown, parties: readonly PartyId[]): P;
  /** The digest the session would sign (hex), for the approval gate; undefined for keygen. */
  digestOf(params: P): string | undefined;
  /**
   * Signing drivers: the key the session signs with, so the approval gate judges the evidence
   * under that key's genesis policy (approvals/genesis.ts). Undefined when unknown.
   */
  keyIdOf?(ctx: DriverContext, params: P): Promise<string | undefined>;
  start(ctx: DriverContext, params: P): Promise<RoundOutput>;
  step(
    ctx: DriverContext,
    state: string,
    inbound: readonly InboundMessage[],
  ): Promise<StepOutput<O>>;
}

/** Test for the `{ done }` arm. */
export function isDone<O>(step: StepOutput<O>): step is { readonly done: O } {
  return 'done' in step;
}
