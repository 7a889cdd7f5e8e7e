/**
 * WebAuthn ceremony challenges, kept server-side (WebAuthn L3 §13.4.3: the relying party
 * generates the challenge, remembers it, and accepts each at most once). A challenge is 32
 * random bytes, lives a few minutes, and is deleted by the single statement that consumes
 * it, so two concurrent verifications of one assertion cannot both succeed.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../store/database.js';

export type ChallengePurpose = 'registration' | 'authentication';

/** How long a ceremony may take: the options' `timeout` and the stored challenge's life. */
export const CHALLENGE_TTL_SECONDS = 300;

/** Stores a fresh challenge (base64url) for `purpose`; also drops expired ones. */
export async function issueChallenge(
  db: Queryable,
  purpose: ChallengePurpose,
  userId: string | null,
): Promise<string> {
  const challenge = randomBytes(32).toString('base64url');
  await db.query('DELETE FROM webauthn_challenges WHERE expires_at < now()');
  await db.query(
    `INSERT INTO webauthn_challenges (challenge, purpose, user_id, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
    [challenge, purpose, userId, CHALLENGE_TTL_SECONDS],
  );
  return challenge;
}

/**
 * Takes a live challenge out of the table: returns the user it was issued for (null for a
 * usernameless login), or undefined when it is unknown, expired, used, or for another purpose.
 */
export async function consumeChallenge(
  db: Queryable,
  challenge: string,
  purpose: ChallengePurpose,
): Promise<{ userId: string | null } | undefined> {
  const rows = await db.query<{ user_id: string | null }>(
    `DELETE FROM webauthn_challenges
     WHERE challenge = $1 AND purpose = $2 AND expires_at > now()
     RETURNING user_id`,
    [challenge, purpose],
  );
  return rows[0] ? { userId: rows[0].user_id } : undefined;
}
