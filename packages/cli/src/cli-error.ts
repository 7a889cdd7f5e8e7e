/**
 * The CLI's error type: a message for one line on stderr and an exit code (2 for usage
 * errors, 1 for everything else). Crypto errors and the API's errors (CofferApiError: code,
 * message, field issues) are mapped here so that a user sees a clear sentence, never a stack
 * trace.
 */
import { CryptoError } from '@coffer/crypto';
import { CofferApiError, PollTimeoutError } from '@coffer/sdk';

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export const usageError = (message: string): CliError => new CliError(message, 2);

/** One line for stderr, and the exit code, for any thrown value. */
export function describeFailure(error: unknown): { line: string; exitCode: number } {
  if (error instanceof CliError) return { line: error.message, exitCode: error.exitCode };
  if (error instanceof CryptoError) return { line: `${error.code}: ${error.message}`, exitCode: 1 };
  if (error instanceof CofferApiError) return { line: error.describe(), exitCode: 1 };
  if (error instanceof PollTimeoutError) return { line: `TIMEOUT: ${error.message}`, exitCode: 1 };
  if (error instanceof Error) return { line: error.message, exitCode: 1 };
  return { line: String(error), exitCode: 1 };
}
