/**
 * Waiting for long-running work the server reports by state (a vault's key generation, a
 * signature request): read, hand each new reading to `onUpdate` (progress for a CLI), stop
 * when `done` holds. Bounded: past `timeoutMs` it throws with the last reading's summary.
 */
export interface PollOptions<T> {
  /** Between readings (default 500 ms). */
  readonly intervalMs?: number;
  /** Give up after this long (default 5 minutes). */
  readonly timeoutMs?: number;
  /** Called with every reading, the first included. */
  readonly onUpdate?: (value: T) => void;
}

export class PollTimeoutError extends Error {
  override readonly name = 'PollTimeoutError';
  constructor(
    message: string,
    readonly last: unknown,
  ) {
    super(message);
  }
}

export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: PollOptions<T> = {},
): Promise<T> {
  const intervalMs = options.intervalMs ?? 500;
  const deadline = Date.now() + (options.timeoutMs ?? 5 * 60_000);
  for (;;) {
    const value = await read();
    options.onUpdate?.(value);
    if (done(value)) return value;
    if (Date.now() + intervalMs > deadline) {
      throw new PollTimeoutError(
        `still not finished after ${options.timeoutMs ?? 300_000} ms`,
        value,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
