/** The login-session cookie: httpOnly, SameSite=Strict, Secure when the public origin is https. */
import { SESSION_COOKIE, type SessionInfo } from '@coffer/protocol';
import type { FastifyReply } from 'fastify';
import type { User } from '@coffer/protocol';
import type { SessionRecord } from '../modules/auth/sessions-store.js';

export function setSessionCookie(
  reply: FastifyReply,
  token: string,
  expiresAt: Date,
  secure: boolean,
): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
}

export function sessionInfo(user: User, session: SessionRecord): SessionInfo {
  return { user, csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() };
}
