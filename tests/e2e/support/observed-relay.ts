/**
 * System-test support: the relay server's routing backend wrapped so the test can see what
 * passes through — who published which kind of envelope for which session (headers only;
 * bodies stay sealed) — and wait for a given publication, e.g. "node C has broadcast its
 * round-1 commitment" before killing C mid-signing. By default it forwards everything
 * unchanged; an `interceptor` plays the malicious relay (replay, tamper) for one session.
 */
import { MemoryRelay, decodeEnvelope, encodeEnvelope } from '@coffer/node';
import type { EnvelopeHandler, Relay, Unsubscribe } from '@coffer/node';

export interface Publication {
  readonly from: string;
  readonly to: string;
  readonly session: string;
  readonly kind: string;
}

/** Returns the envelopes actually forwarded for one publication (none, one, or copies). */
export type Interceptor = (publication: Publication, bytes: Uint8Array) => Uint8Array[];

export class ObservedRelay implements Relay {
  readonly publications: Publication[] = [];
  interceptor: Interceptor | undefined;
  readonly #inner: MemoryRelay;
  readonly #watchers = new Set<() => void>();

  constructor(nodes: readonly string[]) {
    this.#inner = new MemoryRelay({ nodes });
  }

  async publish(envelopeBytes: Uint8Array, to: string): Promise<void> {
    let forwarded = [envelopeBytes];
    try {
      const envelope = decodeEnvelope(envelopeBytes);
      const publication = {
        from: envelope.from,
        to,
        session: envelope.session,
        kind: envelope.kind,
      };
      this.publications.push(publication);
      for (const watcher of [...this.#watchers]) watcher();
      if (this.interceptor) forwarded = this.interceptor(publication, envelopeBytes);
    } catch {
      // not an envelope: forwarded as is; the recipients' inboxes reject it
    }
    for (const bytes of forwarded) await this.#inner.publish(bytes, to);
  }

  subscribe(nodeId: string, handler: EnvelopeHandler): Unsubscribe {
    return this.#inner.subscribe(nodeId, handler);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  /** Resolves once a publication matching `predicate` has passed (bounded). */
  waitFor(predicate: (p: Publication) => boolean, timeoutMs = 20_000): Promise<Publication> {
    const found = this.publications.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#watchers.delete(check);
        reject(new Error(`no matching publication within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        const match = this.publications.find(predicate);
        if (!match) return;
        clearTimeout(timer);
        this.#watchers.delete(check);
        resolve(match);
      };
      this.#watchers.add(check);
    });
  }
}

/** The envelope with one bit of its body flipped and its signature kept (a forgery). */
export function tamperedEnvelope(bytes: Uint8Array): Uint8Array {
  const envelope = decodeEnvelope(bytes);
  const body = Uint8Array.from(envelope.body);
  body[body.length - 1]! ^= 0x01;
  return encodeEnvelope({ ...envelope, body });
}
