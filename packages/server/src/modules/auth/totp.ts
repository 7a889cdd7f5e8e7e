/**
 * TOTP second factor (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits, as authenticator apps
 * expect) via otpauth. A code is accepted for the current step ±1, and each step at most
 * once (`user_totp.last_step`), so an observed code cannot be replayed.
 */
import * as OTPAuth from 'otpauth';
import type { User } from '@coffer/protocol';
import { ServerError } from '../../http/server-error.js';
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
