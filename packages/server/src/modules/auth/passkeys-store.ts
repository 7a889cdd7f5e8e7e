/**
 * Registered passkeys (the `passkeys` table): per credential its COSE public key, the SEC1
 * form of ES256 keys for the signing nodes, the signature counter (WebAuthn L3 §6.1.1),
 * transports and use times. Every read and delete made for a person is scoped to their user
 * id, so one user can neither see nor remove another's passkey.
 */
import type { Passkey } from '@coffer/protocol';
import { conflict } from '../../http/server-error.js';
import type { Queryable } from '../../store/database.js';

interface PasskeyRow {
  id: string;
  user_id: string;
  name: string;
  rp_id: string;
  algorithm: number;
  public_key: Uint8Array;
  public_key_sec1: string | null;
  sign_count: number;
  transports: Passkey['transports'];
  created_at: Date;
  last_used_at: Date | null;
}

export interface StoredPasskey {
  readonly passkey: Passkey;
  readonly userId: string;
  /** The COSE_Key bytes, as @simplewebauthn/server verifies with them. */
  readonly publicKey: Uint8Array<ArrayBuffer>;
}

const COLUMNS = `id, user_id, name, rp_id, algorithm, public_key, public_key_sec1, sign_count,
  transports, created_at, last_used_at`;

function toStored(row: PasskeyRow): StoredPasskey {
  return {
    userId: row.user_id,
    publicKey: new Uint8Array(row.public_key),
    passkey: {
      id: row.id,
      name: row.name,
      rpId: row.rp_id,
      algorithm: row.algorithm,
      publicKeySec1: row.public_key_sec1,
      signCount: row.sign_count,
      transports: row.transports,
      createdAt: row.created_at.toISOString(),
      lastUsedAt: row.last_used_at?.toISOString() ?? null,
    },
  };
}

export interface NewPasskey {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly rpId: string;
  readonly algorithm: number;
  readonly publicKey: Uint8Array;
  readonly publicKeySec1: string | null;
  readonly signCount: number;
  readonly transports: Passkey['transports'];
}

export async function insertPasskey(db: Queryable, input: NewPasskey): Promise<Passkey> {
  const rows = await db.query<PasskeyRow>(
    `INSERT INTO passkeys (id, user_id, name, rp_id, algorithm, public_key, public_key_sec1,
       sign_count, transports)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
     ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
    [
      input.id,
      input.userId,
      input.name,
      input.rpId,
      input.algorithm,
      input.publicKey,
      input.publicKeySec1,
      input.signCount,
      JSON.stringify(input.transports),
    ],
  );
  if (!rows[0]) throw conflict('this passkey is already registered');
  return toStored(rows[0]).passkey;
}

export async function listPasskeys(db: Queryable, userId: string): Promise<Passkey[]> {
  const rows = await db.query<PasskeyRow>(
    `SELECT ${COLUMNS} FROM passkeys WHERE user_id = $1 ORDER BY created_at, id`,
    [userId],
  );
  return rows.map((row) => toStored(row).passkey);
}

export async function findPasskey(db: Queryable, id: string): Promise<StoredPasskey | null> {
  const rows = await db.query<PasskeyRow>(`SELECT ${COLUMNS} FROM passkeys WHERE id = $1`, [id]);
  return rows[0] ? toStored(rows[0]) : null;
}

/** Deletes the user's own passkey; false when they have none with this id. */
export async function deletePasskey(db: Queryable, userId: string, id: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM passkeys WHERE id = $1 AND user_id = $2 RETURNING id', [
    id,
    userId,
  ]);
  return rows.length === 1;
}

/**
 * Records a verified use. The counter only moves forward (WebAuthn L3 §7.2 step 22): with a
 * non-zero counter the update applies only if it is still above the stored one, so two
 * concurrent logins with one assertion cannot both pass. Returns whether it applied.
 */
export async function recordPasskeyUse(
  db: Queryable,
  id: string,
  newSignCount: number,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE passkeys SET sign_count = $2, last_used_at = now()
     WHERE id = $1 AND ($2 = 0 OR sign_count < $2) RETURNING id`,
    [id, newSignCount],
  );
  return rows.length === 1;
}
