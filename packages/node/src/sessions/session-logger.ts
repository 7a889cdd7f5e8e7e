/**
 * Redaction for the sessions' and approval gate's pino logs (CONVENTIONS.md habit 7): the
 * runner only logs ids, codes, reasons and party names, but any field whose name could hold
 * a secret or a signature is censored should one be added by mistake.
 */

export const REDACTED_SESSION_FIELDS = [
  'state',
  'payload',
  'params',
  'evidence',
  'signature',
  'share',
  'secret',
  'secretShare',
  'nonce',
  'key',
  'presignature',
] as const;

/** `f`, `*.f`, `*.*.f` for every redacted field. */
export function redactionPaths(): string[] {
  return REDACTED_SESSION_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);
}
