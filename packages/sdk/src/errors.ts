/**
 * The SDK's one error type. An error response of the API (its body is `ApiErrorBody`,
 * packages/protocol api/errors.ts) becomes a `CofferApiError` carrying the HTTP status, the
 * stable `code` callers switch on, the message and, for VALIDATION_FAILED, the field-level
 * issues. Two codes are the client's own: UNREACHABLE (no HTTP answer at all) and
 * UNEXPECTED_RESPONSE (an answer that is not the API's: a proxy page, a body that does not
 * match the route's schema).
 */
import { ApiErrorBody, type ApiErrorCode } from '@coffer/protocol';

export type ClientErrorCode = 'UNREACHABLE' | 'UNEXPECTED_RESPONSE';

export interface ApiIssue {
  readonly path: string;
  readonly message: string;
}

export class CofferApiError extends Error {
  override readonly name = 'CofferApiError';
  constructor(
    /** The HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly code: ApiErrorCode | ClientErrorCode,
    message: string,
    readonly issues: readonly ApiIssue[] = [],
    readonly requestId?: string,
  ) {
    super(message);
  }

  /** "VALIDATION_FAILED: … (body.email: must be an email)" — one line for a terminal. */
  describe(): string {
    const details = this.issues
      .map((i) => `${i.path}: ${i.message}`)
      .filter((issue) => !this.message.includes(issue))
      .join('; ');
    return `${this.code}: ${this.message}${details === '' ? '' : ` (${details})`}`;
  }
}

/** The error of a non-2xx response, from its (already read) body text. */
export function errorFromResponse(status: number, bodyText: string): CofferApiError {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    json = undefined;
  }
  const parsed = ApiErrorBody.safeParse(json);
  if (!parsed.success) {
    const excerpt = bodyText.slice(0, 200).replace(/\s+/g, ' ');
    return new CofferApiError(
      status,
      'UNEXPECTED_RESPONSE',
      `HTTP ${status} without an API error body: ${excerpt}`,
    );
  }
  const { code, message, issues, requestId } = parsed.data.error;
  return new CofferApiError(status, code, message, issues ?? [], requestId);
}
