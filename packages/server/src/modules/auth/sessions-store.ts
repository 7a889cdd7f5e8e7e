/**
 * Server-side login sessions: the browser holds a random 256-bit token in an httpOnly
 * cookie; the table holds only its SHA-256 (a database leak does not yield live sessions),
 * the user, a CSRF token and the expiry. Expired sessions are never returned.
 */
import { newSecretToken, tokenHash } from '../../ids.js';
import type { Queryable } from '../../store/database.js';

export interface SessionRecord {
  readonly tokenHash: string;
  readonly userId: string;
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

export async function createSession(
  db: Queryable,
  userId: string,
  ttlHours: number,
): Promise<{ token: string; session: SessionRecord }> {
  const token = newSecretToken();
  const csrfToken = newSecretToken();
  const rows = await db.query<{ expires_at: Date }>(
    `INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(hours => $4)) RETURNING expires_at`,
    [tokenHash(token), userId, csrfToken, ttlHours],
  );
  return {
    token,
    session: { tokenHash: tokenHash(token), userId, csrfToken, expiresAt: rows[0]!.expires_at },
  };
}

export async function findSession(db: Queryable, token: string): Promise<SessionRecord | null> {
  const rows = await db.query<{
    token_hash: string;
    user_id: string;
    csrf_token: string;
    expires_at: Date;
  }>(
    `UPDATE sessions SET last_seen_at = now()
     WHERE token_hash = $1 AND expires_at > now()
     RETURNING token_hash, user_id, csrf_token, expires_at`,
    [tokenHash(token)],
  );
  const row = rows[0];
  return row
    ? {
        tokenHash: row.token_hash,
        userId: row.user_id,
        csrfToken: row.csrf_token,
        expiresAt: row.expires_at,
      }
    : null;
}

export async function deleteSession(db: Queryable, hash: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [hash]);
}

/** Ends every session of a user (password change, account compromise). */
export async function deleteUserSessions(db: Queryable, userId: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
}

/** Ends every session of a user but the one given (password change from that session). */
export async function deleteOtherSessions(
  db: Queryable,
  userId: string,
  keepTokenHash: string,
): Promise<void> {
  await db.query('DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2', [
    userId,
    keepTokenHash,
  ]);
}
