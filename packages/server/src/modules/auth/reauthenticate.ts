/**
 * Re-authentication for sensitive account changes (turning two-factor authentication on or
 * off, changing the password): a live session is not enough, the person types the current
 * password again (NIST SP 800-63B §4.2.3 calls this re-authentication), so a borrowed or
 * stolen session cannot lock the owner out of their own account.
 */
import { forbidden } from '../../http/server-error.js';
import type { Queryable } from '../../store/database.js';
import { verifyPassword } from './passwords.js';
import { findUserById } from './users-store.js';

export async function requireCurrentPassword(
  db: Queryable,
  userId: string,
  password: string,
): Promise<void> {
  const stored = await findUserById(db, userId);
  if (!stored || !(await verifyPassword(password, stored.passwordHash))) {
    throw forbidden('wrong password');
  }
}
