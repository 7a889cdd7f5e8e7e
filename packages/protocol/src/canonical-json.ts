/**
 * Canonical JSON for signed documents (approval payloads, approval policies): RFC 8785 (JCS)
 * restricted to what those documents contain — objects with keys sorted by UTF-16 code
 * units, arrays, strings, safe integers, booleans and null; no whitespace. For this subset
 * `JSON.stringify` of each scalar is exactly the JCS serialisation (RFC 8785 §3.2.2).
 * Anything else (floats, undefined, functions, bigint, non-plain objects) is refused, so a
 * signer and a verifier can never disagree on the bytes.
 */

export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
}

/** The canonical serialisation of `value` (throws CanonicalJsonError outside the subset). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new CanonicalJsonError('only safe integers allowed');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.some(([, v]) => v === undefined)) {
      throw new CanonicalJsonError('undefined values are not allowed');
    }
    // RFC 8785 §3.2.3: sort by UTF-16 code units (the default string comparison).
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new CanonicalJsonError(`unsupported value of type ${typeof value}`);
}
