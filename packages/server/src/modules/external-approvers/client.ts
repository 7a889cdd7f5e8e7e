/**
 * One call to an external approver (issue 6, item 7; EXTERNAL-APPROVERS.md): POST the call's
 * JSON with `Coffer-Call-Id`, `Coffer-Timestamp` and `Coffer-Signature: v1=HMAC-SHA256(secret,
 * timestamp.body)` (the webhook scheme), no redirects followed. The answer counts only if it is
 * HTTP 200 JSON (at most 64 KiB) echoing the call id, with an Ed25519 signature by the
 * endpoint's configured key over `externalDecisionPayloadJson` — the same bytes the signing
 * nodes verify. Anything else is a failed attempt, described for the call's log.
 */
import { ExternalApprovalAnswer, externalDecisionPayloadJson } from '@coffer/protocol';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { destinationRefusal, type Resolver } from '../../http/outbound-destination.js';
import { signWebhook } from '../notifications/webhook-signature.js';
import type { DueCall } from './store.js';

export const CALL_ID_HEADER = 'coffer-call-id';
export const CALL_TIMESTAMP_HEADER = 'coffer-timestamp';
export const CALL_SIGNATURE_HEADER = 'coffer-signature';

/** An answer is a few hundred bytes; a larger one is refused unread (a hostile endpoint). */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** The body as UTF-8, or null when it fails mid-way or grows past `limit` bytes. */
async function boundedText(response: Response, limit: number): Promise<string | null> {
  if (response.body === null) return '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        return null;
      }
      chunks.push(value);
    }
  } catch {
    return null;
  }
  return Buffer.concat(chunks).toString('utf8');
}

export type CallResult =
  | {
      readonly ok: true;
      readonly decision: 'approve' | 'reject';
      readonly reason: string | null;
      readonly signature: string;
    }
  | { readonly ok: false; readonly error: string };

export interface CallOptions {
  readonly timeoutMs: number;
  /** COFFER_OUTBOUND_ALLOW_PRIVATE (outbound-destination.ts). */
  readonly allowPrivateDestinations: boolean;
  readonly resolve?: Resolver | undefined;
  readonly fetch?: typeof fetch | undefined;
}

export async function callExternalApprover(
  call: DueCall,
  options: CallOptions,
): Promise<CallResult> {
  if (call.url === null || call.secret === null || call.publicKey === null) {
    return { ok: false, error: `external approver ${call.endpointId} is not configured` };
  }
  const refusal = await destinationRefusal(
    call.url,
    options.allowPrivateDestinations,
    options.resolve,
  );
  if (refusal !== null) return { ok: false, error: refusal };
  const body = JSON.stringify(call.payload);
  const timestamp = Math.floor(Date.now() / 1000);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(call.url, {
      method: 'POST',
      redirect: 'error',
      headers: {
        'content-type': 'application/json',
        [CALL_ID_HEADER]: call.callId,
        [CALL_TIMESTAMP_HEADER]: String(timestamp),
        [CALL_SIGNATURE_HEADER]: signWebhook(call.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    return {
      ok: false,
      error: `unreachable: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: false, error: `HTTP ${response.status}` };
  }
  const text = await boundedText(response, MAX_ANSWER_BYTES);
  if (text === null) {
    return { ok: false, error: `the answer is unreadable or over ${MAX_ANSWER_BYTES} bytes` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'the answer is not JSON' };
  }
  const parsed = ExternalApprovalAnswer.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `malformed answer: ${issue?.path.join('.')}: ${issue?.message}` };
  }
  const answer = parsed.data;
  if (answer.callId !== call.callId) return { ok: false, error: 'the answer is for another call' };
  const payload = externalDecisionPayloadJson({
    endpointId: call.endpointId,
    callId: call.callId,
    requestId: call.requestId,
    intentHash: String(call.payload.intentHash),
    decision: answer.decision,
  });
  let valid: boolean;
  try {
    valid = ed25519.verify(
      hexToBytes(answer.signature),
      utf8ToBytes(payload),
      hexToBytes(call.publicKey),
    );
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, error: "the answer's signature does not verify" };
  return {
    ok: true,
    decision: answer.decision,
    reason: answer.reason ?? null,
    signature: answer.signature,
  };
}
