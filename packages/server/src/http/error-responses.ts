/**
 * The error responses a route declares in its schema (for validation of what it sends and
 * for the OpenAPI document): every error body is `ApiErrorBody`, under each status given.
 */
import { ApiErrorBody } from '@coffer/protocol';

export function errorResponses<const S extends number>(
  ...statuses: readonly S[]
): Record<S, typeof ApiErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ApiErrorBody])) as Record<
    S,
    typeof ApiErrorBody
  >;
}
