/**
 * TOTP second factor (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits, as authenticator apps
 * expect) via otpauth. A code is accepted for the current step ±1, and each step at most
 * once (`user_totp.last_step`), so an observed code cannot be replayed.
 */
import * as OTPAuth from 'otpauth';
import type { User } from '@coffer/protocol';
import { ServerError, badRequest, conflict } from '../../http/server-error.js';
import type { Queryable } from '../../store/database.js';

export const TOTP_PERIOD = 30;

export function totpFor(secretBase32: string, label = 'Coffer'): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: 'Coffer',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
  });
}

/** The time step a valid `code` belongs to, or null (window ±1 step). */
export function matchingStep(secretBase32: string, code: string, now = Date.now()): number | null {
  const delta = totpFor(secretBase32).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / 1000 / TOTP_PERIOD) + delta;
}

/**
 * Consumes `code` for `userId` if it is valid and its step is newer than the last one used;
 * `confirmedOnly` = only an enabled (confirmed) factor counts.
 */
export async function consumeTotpCode(
  db: Queryable,
  userId: string,
  code: string,
  confirmedOnly: boolean,
): Promise<boolean> {
  const rows = await db.query<{ secret: string }>(
    `SELECT secret FROM user_totp WHERE user_id = $1 ${confirmedOnly ? 'AND confirmed_at IS NOT NULL' : ''}`,
    [userId],
  );
  if (!rows[0]) return false;
  const step = matchingStep(rows[0].secret, code);
  if (step === null) return false;
  const updated = await db.query(
    `UPDATE user_totp SET last_step = $2 WHERE user_id = $1 AND (last_step IS NULL OR last_step < $2)
     RETURNING user_id`,
    [userId, step],
  );
  return updated.length === 1;
}

/** At login: a user with TOTP enabled must give a fresh valid code. */
export async function checkSecondFactor(db: Queryable, user: User, code: string | undefined) {
  if (!user.totpEnabled) return;
  if (code === undefined) {
    throw new ServerError('SECOND_FACTOR_REQUIRED', 'enter the code from your authenticator app');
  }
  if (!(await consumeTotpCode(db, user.id, code, true))) {
    throw new ServerError('UNAUTHENTICATED', 'wrong or already used authenticator code');
  }
}

/**
 * Starts (or restarts) enrolment: a fresh 160-bit secret (RFC 4226 §4: at least 128 bits)
 * replaces any unconfirmed one. An enabled factor is never replaced silently: disable it first.
 */
export async function startTotpEnrolment(
  db: Queryable,
  user: User,
): Promise<{ secret: string; uri: string }> {
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  const rows = await db.query(
    `INSERT INTO user_totp (user_id, secret) VALUES ($1, $2)
     ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, last_step = NULL
       WHERE user_totp.confirmed_at IS NULL
     RETURNING user_id`,
    [user.id, secret],
  );
  if (rows.length === 0) {
    throw conflict('two-factor authentication is already enabled: disable it first');
  }
  return { secret, uri: totpFor(secret, user.email).toString() };
}

/** The first valid code from the app proves it holds the secret and turns the factor on. */
export async function confirmTotpEnrolment(
  db: Queryable,
  userId: string,
  code: string,
): Promise<void> {
  const rows = await db.query<{ confirmed: boolean }>(
    'SELECT confirmed_at IS NOT NULL AS confirmed FROM user_totp WHERE user_id = $1',
    [userId],
  );
  if (!rows[0]) throw conflict('start enrolment first (POST /v1/auth/totp)');
  if (rows[0].confirmed) throw conflict('two-factor authentication is already enabled');
  if (!(await consumeTotpCode(db, userId, code, false))) {
    throw badRequest('wrong or already used authenticator code');
  }
  await db.query('UPDATE user_totp SET confirmed_at = now() WHERE user_id = $1', [userId]);
}

/** Turns the factor off with a fresh valid code (the caller has re-checked the password). */
export async function disableTotp(db: Queryable, userId: string, code: string): Promise<void> {
  if (!(await consumeTotpCode(db, userId, code, true))) {
    throw badRequest('two-factor authentication is not enabled, or the code is wrong or used');
  }
  await db.query('DELETE FROM user_totp WHERE user_id = $1', [userId]);
}
