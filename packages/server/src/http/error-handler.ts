/**
 * One error handler for the whole API (fastify/demo's pattern): a `ServerError` becomes its
 * stable code and status; schema validation failures become VALIDATION_FAILED with one issue
 * per field; Fastify's own client errors (bad JSON, too large, rate limit) keep their 4xx
 * with a code; anything else is a 500 `INTERNAL` whose details are logged, never sent.
 */
import { API_ERROR_STATUS, type ApiErrorBody, type ApiErrorCode } from '@coffer/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ServerError, type Issue } from './server-error.js';

function send(
  reply: FastifyReply,
  request: FastifyRequest,
  code: ApiErrorCode,
  message: string,
  issues?: readonly Issue[],
) {
  const body: ApiErrorBody = {
    error: { code, message, requestId: request.id, ...(issues ? { issues: [...issues] } : {}) },
  };
  return reply.status(API_ERROR_STATUS[code]).send(body);
}

function clientCode(status: number): ApiErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  return 'BAD_REQUEST';
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ServerError) {
      if (API_ERROR_STATUS[error.code] >= 500) request.log.error({ err: error }, error.message);
      return send(reply, request, error.code, error.message, error.issues);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((v) => ({
        path: `${error.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
        message: v.message ?? 'is invalid',
      }));
      const first = issues[0];
      const summary = first ? `${first.path}: ${first.message}` : 'request is invalid';
      return send(reply, request, 'VALIDATION_FAILED', summary, issues);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return send(reply, request, clientCode(status), error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return send(reply, request, 'INTERNAL', 'internal error');
  });
  app.setNotFoundHandler((request, reply) =>
    send(reply, request, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
  );
}
