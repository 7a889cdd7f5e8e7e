/** Users: the `users` table (identity). Emails are stored lower-cased and unique. */
import type { User } from '@coffer/protocol';
import { newId } from '../../ids.js';
import { conflict } from '../../http/server-error.js';
import type { Queryable } from '../../store/database.js';

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  password_hash: string;
  created_at: Date;
  totp_enabled: boolean;
}

export interface StoredUser {
  readonly user: User;
  readonly passwordHash: string;
}

/** The SELECT list every user query uses; `totp_enabled` comes from the second-factor table. */
const USER_COLUMNS = `u.id, u.email, u.display_name, u.password_hash, u.created_at,
  EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL) AS totp_enabled`;

function toStored(row: UserRow): StoredUser {
  return {
    user: {
      id: row.id,
      email: row.email,
      displayName: row.display_name,
      createdAt: row.created_at.toISOString(),
      totpEnabled: row.totp_enabled,
    },
    passwordHash: row.password_hash,
  };
}

export async function createUser(
  db: Queryable,
  input: { email: string; displayName: string; passwordHash: string },
): Promise<User> {
  const id = newId('usr');
  const rows = await db.query<{ id: string }>(
    `INSERT INTO users (id, email, display_name, password_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (email) DO NOTHING RETURNING id`,
    [id, input.email, input.displayName, input.passwordHash],
  );
  if (rows.length === 0) throw conflict('an account with this email already exists');
  const stored = await findUserById(db, id);
  return stored!.user;
}

export async function findUserByEmail(db: Queryable, email: string): Promise<StoredUser | null> {
  const rows = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.email = $1`, [
    email,
  ]);
  return rows[0] ? toStored(rows[0]) : null;
}

export async function findUserById(db: Queryable, id: string): Promise<StoredUser | null> {
  const rows = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [id]);
  return rows[0] ? toStored(rows[0]) : null;
}

export async function countUsers(db: Queryable): Promise<number> {
  const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return rows[0]?.n ?? 0;
}

export async function setPasswordHash(
  db: Queryable,
  userId: string,
  passwordHash: string,
): Promise<void> {
  await db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [userId, passwordHash]);
}
