/**
 * The server's one error class (CONVENTIONS.md habit 4): every domain failure is a
 * `ServerError` with a stable `ApiErrorCode`; the error handler (error-handler.ts) maps it to
 * its status and body. Messages are shown to clients, so they never carry a secret; a 5xx's
 * details go to the log only.
 */
import type { ApiErrorCode } from '@coffer/protocol';

export interface Issue {
  readonly path: string;
  readonly message: string;
}

export class ServerError extends Error {
  override readonly name = 'ServerError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: readonly Issue[],
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ServerError('NOT_FOUND', `${what} not found`);
export const forbidden = (why: string) => new ServerError('FORBIDDEN', why);
export const conflict = (why: string) => new ServerError('CONFLICT', why);
export const badRequest = (why: string) => new ServerError('BAD_REQUEST', why);
