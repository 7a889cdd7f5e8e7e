/**
 * Webhook signatures (issue 6, item 9: "webhooks signed with HMAC"). The sender signs
 * `<timestamp>.<body>` with HMAC-SHA256 (RFC 2104) under the webhook's secret and sends
 * `Coffer-Webhook-Signature: v1=<hex>`; a receiver recomputes it over the raw body it got,
 * compares in constant time and refuses a timestamp more than `toleranceSeconds` away from its
 * clock (a replayed old request). NOTIFICATIONS.md shows the same check for receivers.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_ID_HEADER = 'coffer-webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'coffer-webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'coffer-webhook-signature';
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** `v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `v1=${mac}`;
}

/** The receiver's check: signature over the raw body, and a timestamp within the tolerance. */
export function verifyWebhook(input: {
  readonly secret: string;
  readonly body: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly nowSeconds?: number;
  readonly toleranceSeconds?: number;
}): boolean {
  if (input.timestamp === undefined || input.signature === undefined) return false;
  if (!/^\d{1,15}$/.test(input.timestamp)) return false;
  const timestamp = Number(input.timestamp);
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS)) {
    return false;
  }
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body), 'utf8');
  const given = Buffer.from(input.signature, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Does `action` match one of `patterns` (`*`, an exact action, or a `prefix.*`)? */
export function matchesEventPatterns(patterns: readonly string[], action: string): boolean {
  return patterns.some(
    (pattern) =>
      pattern === '*' ||
      pattern === action ||
      (pattern.endsWith('.*') && action.startsWith(pattern.slice(0, -1))),
  );
}
