/**
 * Who is calling: resolved once per request by the `authenticate` hook (authenticate.ts)
 * from the session cookie (people) or an `Authorization: Bearer` API key (machines), and
 * read by routes through the `require…` helpers, which throw UNAUTHENTICATED when absent.
 */
import type { FastifyRequest } from 'fastify';
import type { Role, User } from '@coffer/protocol';
import { ServerError } from '../../http/server-error.js';
import type { SessionRecord } from './sessions-store.js';

export interface SessionActor {
  readonly kind: 'session';
  readonly user: User;
  readonly session: SessionRecord;
}

/** A machine client: an API key belongs to one organisation and carries one role. */
export interface ApiKeyActor {
  readonly kind: 'api-key';
  readonly apiKeyId: string;
  readonly orgId: string;
  readonly role: Role;
  /** The user who created the key (audit attribution). */
  readonly createdBy: string;
}

export type Actor = SessionActor | ApiKeyActor;

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export function requireActor(request: FastifyRequest): Actor {
  if (request.actor === null) throw new ServerError('UNAUTHENTICATED', 'log in first');
  return request.actor;
}

/** Routes only a person may call (account settings, creating organisations, passkeys). */
export function requireSession(request: FastifyRequest): SessionActor {
  const actor = requireActor(request);
  if (actor.kind !== 'session') {
    throw new ServerError('FORBIDDEN', 'this route needs a logged-in person, not an API key');
  }
  return actor;
}

/** The id recorded as "who did it" (a user id or an API key id). */
export function actorId(actor: Actor): string {
  return actor.kind === 'session' ? actor.user.id : actor.apiKeyId;
}
