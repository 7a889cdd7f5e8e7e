/**
 * The one error type of the transport (CONVENTIONS.md habit 4): a stable `code` and, where
 * blame is possible, `culprits` naming the node at fault. `sender` is the envelope's claimed
 * sender when one could be read (even if unauthenticated), so every rejection of an inbound
 * message says whose it claims to be — or "unknown sender". Messages never carry secrets.
 */

export const TRANSPORT_ERROR_CODES = [
  /** Bytes are not a well-formed v1 envelope. */
  'MALFORMED_ENVELOPE',
  /** The claimed sender is not enrolled. */
  'UNKNOWN_SENDER',
  /** The Ed25519 signature does not verify under the enrolled sender key (forged/tampered). */
  'BAD_SIGNATURE',
  /** A validly signed envelope addressed to another node (misrouted by the relay). */
  'WRONG_RECIPIENT',
  /** seq below the next expected one: a replay. */
  'REPLAYED',
  /** seq above the next expected one: a gap (reordered or dropped messages). */
  'OUT_OF_ORDER',
  /** The signed ciphertext does not decrypt for us (the signer sent garbage). */
  'DECRYPTION_FAILED',
  /** Relay authentication failed (client or server side). */
  'AUTH_FAILED',
  /** The relay is closed, or a bounded queue is full. */
  'RELAY_UNAVAILABLE',
  /** A caller passed an invalid argument. */
  'INVALID_ARGUMENT',
] as const;
export type TransportErrorCode = (typeof TRANSPORT_ERROR_CODES)[number];

export interface TransportErrorDetails {
  /**
   * The claimed sender of the offending message: a node id, `null` when none could be read
   * ("unknown sender"), or absent when the error is not about an inbound message.
   */
  readonly sender?: string | null;
  /** Nodes provably at fault. */
  readonly culprits?: readonly string[];
}

export class TransportError extends Error {
  override readonly name = 'TransportError';
  /** The claimed sender, or `null` for "unknown sender"; undefined when not applicable. */
  readonly sender: string | null | undefined;
  readonly culprits: readonly string[];
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    details: TransportErrorDetails = {},
  ) {
    const who =
      details.sender === undefined ? '' : ` (sender: ${details.sender ?? 'unknown sender'})`;
    const blame =
      details.culprits && details.culprits.length > 0
        ? ` (culprits: ${details.culprits.join(', ')})`
        : '';
    super(`${code}: ${message}${who}${blame}`);
    this.sender = details.sender;
    this.culprits = details.culprits ?? [];
  }
}
