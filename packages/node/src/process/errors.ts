/**
 * Errors of the coordinator ↔ node exchange (coordinator-protocol.ts), kept apart from the
 * keystore's `NodeError` as the transport keeps `TransportError` and the sessions keep
 * `SessionAborted`: a stable `code` and a message that never holds a secret.
 */

export const CONTROL_ERROR_CODES = [
  /** A coordinator command or node report is not valid v1 JSON of the expected shape. */
  'MALFORMED_MESSAGE',
  /** A session output holds a field that could be secret; it is not reported. */
  'OUTPUT_NOT_PUBLIC',
] as const;
export type ControlErrorCode = (typeof CONTROL_ERROR_CODES)[number];

export class ControlError extends Error {
  override readonly name = 'ControlError';
  constructor(
    readonly code: ControlErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
