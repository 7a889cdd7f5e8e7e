/**
 * The webhook dispatcher started by `startServer` (issue 6, item 9): every `pollMs` it turns
 * new audit entries into deliveries (delivery-queue.ts `fanOut`), claims due deliveries and
 * POSTs each one, signed (webhook-signature.ts), with a bounded timeout. A 2xx answer is
 * delivered; anything else is retried after an exponential backoff with jitter
 * (`backoffBaseMs` · 2^(attempt−1), capped at `backoffCapMs`, plus up to 20 % random) until
 * `maxAttempts`, then 'failed'. Several dispatchers (replicas, or instances in one process)
 * share the work through row locks; each delivery is attempted by one of them at a time.
 * `stop()` stops polling and waits for the attempts in flight.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { destinationRefusal, type Resolver } from '../../http/outbound-destination.js';
import type { Database } from '../../store/database.js';
import {
  claimDeliveries,
  failAbandoned,
  fanOut,
  recordAttempt,
  type AttemptOutcome,
  type ClaimedDelivery,
} from './delivery-queue.js';
import {
  signWebhook,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from './webhook-signature.js';

export interface WebhookDispatcherOptions {
  readonly db: Database;
  readonly logger: Logger;
  readonly pollMs?: number;
  /** The first retry's delay; each next one doubles (default 1 s). */
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  readonly maxAttempts?: number;
  /** Per attempt (default 10 s). */
  readonly timeoutMs?: number;
  readonly concurrency?: number;
  /** Deliver to private addresses too (COFFER_OUTBOUND_ALLOW_PRIVATE; outbound-destination.ts). */
  readonly allowPrivateDestinations?: boolean;
  /** DNS resolution of destinations (tests). */
  readonly resolve?: Resolver;
}

export const WEBHOOK_DEFAULTS = {
  pollMs: 1_000,
  backoffBaseMs: 1_000,
  backoffCapMs: 600_000,
  maxAttempts: 8,
  timeoutMs: 10_000,
  concurrency: 8,
  allowPrivateDestinations: false,
} as const;

/** The delay before attempt `attempt + 1`, after `attempt` failed ones. */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  const delay = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return delay + randomInt(0, Math.max(1, Math.floor(delay / 5)));
}

export class WebhookDispatcher {
  readonly worker = `webhooks-${randomBytes(6).toString('hex')}`;
  readonly #opts: Required<Omit<WebhookDispatcherOptions, 'db' | 'logger' | 'resolve'>> &
    Pick<WebhookDispatcherOptions, 'db' | 'logger' | 'resolve'>;
  #timer: NodeJS.Timeout | undefined;
  #poll: Promise<void> | undefined;
  #stopped = false;

  constructor(options: WebhookDispatcherOptions) {
    this.#opts = { ...WEBHOOK_DEFAULTS, ...options };
  }

  start(): void {
    this.#timer = setInterval(() => this.wake(), this.#opts.pollMs);
    this.#timer.unref();
    this.wake();
  }

  /** Polls now unless a poll is running (that one picks the new work up, or the next does). */
  wake(): void {
    if (this.#stopped || this.#poll) return;
    this.#poll = this.pollOnce()
      .catch((error: unknown) => this.#opts.logger.error({ err: error }, 'webhook poll failed'))
      .finally(() => {
        this.#poll = undefined;
      });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#poll;
  }

  /** One round: fan out new entries, then attempt every due delivery (a few at a time). */
  async pollOnce(): Promise<void> {
    const { db, maxAttempts, concurrency, timeoutMs } = this.#opts;
    // More webhooks or entries than one batch may be behind: a few rounds, the rest next poll.
    for (let round = 0; round < 10 && !this.#stopped && (await fanOut(db)) > 0; round++);
    await failAbandoned(db, maxAttempts);
    while (!this.#stopped) {
      const claimed = await claimDeliveries(db, this.worker, {
        limit: concurrency,
        leaseMs: timeoutMs * 3,
        maxAttempts,
      });
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((delivery) => this.#attempt(delivery)));
    }
  }

  async #attempt(delivery: ClaimedDelivery): Promise<void> {
    const outcome = await this.#post(delivery);
    if (outcome.kind !== 'delivered') {
      this.#opts.logger.warn(
        { webhook: delivery.webhookId, delivery: delivery.id, attempt: delivery.attempts },
        `webhook attempt failed: ${outcome.error}`,
      );
    }
    await recordAttempt(this.#opts.db, delivery.id, this.worker, outcome);
  }

  async #post(delivery: ClaimedDelivery): Promise<AttemptOutcome> {
    const { entry } = delivery;
    const eventId = `${entry.chain}:${entry.seq}`;
    const body = JSON.stringify({ id: eventId, event: entry.action, entry });
    const timestamp = Math.floor(Date.now() / 1000);
    let statusCode: number | null = null;
    let error: string;
    const refusal = await destinationRefusal(
      delivery.url,
      this.#opts.allowPrivateDestinations,
      this.#opts.resolve,
    );
    try {
      if (refusal !== null) throw new Error(refusal);
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Coffer-Webhooks/1',
          [WEBHOOK_ID_HEADER]: eventId,
          [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(delivery.secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#opts.timeoutMs),
      });
      statusCode = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) {
        return { kind: 'delivered', statusCode };
      }
      error = `HTTP ${response.status}`;
    } catch (cause) {
      error = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    }
    if (delivery.attempts >= this.#opts.maxAttempts) return { kind: 'failed', statusCode, error };
    const { backoffBaseMs, backoffCapMs } = this.#opts;
    return {
      kind: 'retry',
      statusCode,
      error,
      retryInSeconds: backoffMs(delivery.attempts, backoffBaseMs, backoffCapMs) / 1000,
    };
  }
}
