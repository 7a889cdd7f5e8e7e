/**
 * Single-use enforcement for secret protocol states (CRYPTO.md invariant 2; DKLS23-NOTES.md
 * §8, pitfalls 1 and 3): a round function marks its input state consumed before using it, and
 * a second use throws STATE_CONSUMED. This guards one process; a state that was serialised
 * and restored is a new object, so persistence layers must keep their own "used" mark.
 */
import { CryptoError } from '../errors.js';

const consumed = new WeakSet<object>();

export function consume(state: object, what: string): void {
  if (typeof state !== 'object' || state === null) {
    throw new CryptoError('INVALID_ARGUMENT', `${what} state is missing`);
  }
  if (consumed.has(state)) {
    throw new CryptoError('STATE_CONSUMED', `${what} state was already used; it is single-use`);
  }
  consumed.add(state);
}
