/**
 * Single use of nonces, presignatures and OT correlations (CRYPTO.md invariant 2). A round
 * function that is about to release something computed from single-use secret state first
 * asks the ledger to consume the state's id; the ledger refuses an id it has seen. The signing
 * node backs this with durable storage written *before* the value leaves the node, so a
 * restored copy of serialised state, a retry or a restart fails closed.
 */
import { CryptoError } from './errors.js';

export interface UsageLedger {
  /** Records `id` as used; throws STATE_CONSUMED if it was used before. */
  consume(id: string): void;
}

/** An in-memory ledger, for one process (the offline CLI, tests, benchmarks). */
export class MemoryLedger implements UsageLedger {
  private readonly used = new Set<string>();

  consume(id: string): void {
    if (this.used.has(id)) {
      throw new CryptoError('STATE_CONSUMED', 'single-use state was already used');
    }
    this.used.add(id);
  }
}
