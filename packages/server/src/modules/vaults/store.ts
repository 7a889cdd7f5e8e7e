/**
 * Vaults and the public data of their keys (tables `vaults`, `vault_keys`): creation with
 * every requested scheme pending, the progress of each scheme's key generation, and the
 * vault's status once every scheme has ended. Nothing secret is stored: public keys, public
 * key packages, chain codes, the structure, the genesis.
 */
import type { VaultGenesis } from '@coffer/node';
import type { Failure, Vault, VaultKey, VaultScheme } from '@coffer/protocol';
import type { Queryable } from '../../store/database.js';
import { appendAudit, SYSTEM_ACTOR } from '../audit/audit-store.js';

interface VaultRow {
  id: string;
  org_id: string;
  name: string;
  structure: string;
  parties: Record<string, string>;
  status: Vault['status'];
  failure: Failure | null;
  genesis: VaultGenesis;
  genesis_hash: string;
  created_at: Date;
  updated_at: Date;
}

interface KeyRow {
  vault_id: string;
  scheme: VaultScheme;
  status: VaultKey['status'];
  started_at: Date | null;
  finished_at: Date | null;
  key_id: string | null;
  public_key: string | null;
  public_key_package: Record<string, unknown> | null;
  chain_code: string | null;
  failure: Failure | null;
}

const toKey = (row: KeyRow): VaultKey => ({
  scheme: row.scheme,
  status: row.status,
  startedAt: row.started_at?.toISOString() ?? null,
  finishedAt: row.finished_at?.toISOString() ?? null,
  keyId: row.key_id,
  publicKey: row.public_key,
  publicKeyPackage: row.public_key_package,
  chainCode: row.chain_code,
  failure: row.failure,
});

const toVault = (row: VaultRow, keys: readonly KeyRow[]): Vault => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  structure: row.structure,
  parties: row.parties,
  status: row.status,
  failure: row.failure,
  keys: keys.filter((k) => k.vault_id === row.id).map(toKey),
  genesis: row.genesis as Vault['genesis'],
  genesisHash: row.genesis_hash,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

export interface NewVault {
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  readonly structure: string;
  readonly parties: Readonly<Record<string, string>>;
  readonly schemes: readonly VaultScheme[];
  readonly genesis: VaultGenesis;
  readonly genesisHash: string;
  readonly createdBy: string;
}

export async function insertVault(tx: Queryable, vault: NewVault): Promise<void> {
  await tx.query(
    `INSERT INTO vaults (id, org_id, name, structure, parties, status, genesis, genesis_hash,
       created_by)
     VALUES ($1, $2, $3, $4, $5::jsonb, 'creating', $6::jsonb, $7, $8)`,
    [
      vault.id,
      vault.orgId,
      vault.name,
      vault.structure,
      JSON.stringify(vault.parties),
      JSON.stringify(vault.genesis),
      vault.genesisHash,
      vault.createdBy,
    ],
  );
  for (const [position, scheme] of vault.schemes.entries()) {
    await tx.query(
      `INSERT INTO vault_keys (vault_id, scheme, position, status) VALUES ($1, $2, $3, 'pending')`,
      [vault.id, scheme, position],
    );
  }
}

async function keysOf(db: Queryable, vaultIds: readonly string[]): Promise<KeyRow[]> {
  if (vaultIds.length === 0) return [];
  return db.query<KeyRow>(
    `SELECT * FROM vault_keys WHERE vault_id = ANY($1::text[]) ORDER BY vault_id, position`,
    [vaultIds],
  );
}

/** One vault, only within its organisation (null otherwise). */
export async function findVault(
  db: Queryable,
  orgId: string,
  vaultId: string,
): Promise<Vault | null> {
  const rows = await db.query<VaultRow>('SELECT * FROM vaults WHERE org_id = $1 AND id = $2', [
    orgId,
    vaultId,
  ]);
  const row = rows[0];
  return row ? toVault(row, await keysOf(db, [row.id])) : null;
}

/** A vault by id alone (background jobs; the caller has its organisation from the job). */
export async function loadVault(db: Queryable, vaultId: string): Promise<Vault | null> {
  const rows = await db.query<VaultRow>('SELECT * FROM vaults WHERE id = $1', [vaultId]);
  const row = rows[0];
  return row ? toVault(row, await keysOf(db, [row.id])) : null;
}

export async function listVaults(db: Queryable, orgId: string): Promise<Vault[]> {
  const rows = await db.query<VaultRow>(
    'SELECT * FROM vaults WHERE org_id = $1 ORDER BY created_at, id',
    [orgId],
  );
  const keys = await keysOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toVault(r, keys));
}

export async function markKeyRunning(
  db: Queryable,
  vaultId: string,
  scheme: VaultScheme,
): Promise<void> {
  await db.query(
    `UPDATE vault_keys SET status = 'running', started_at = now(), finished_at = NULL,
       failure = NULL
     WHERE vault_id = $1 AND scheme = $2`,
    [vaultId, scheme],
  );
}

export interface KeyPublicData {
  readonly keyId: string;
  readonly publicKey: string;
  readonly publicKeyPackage: Record<string, unknown>;
  readonly chainCode: string;
}

export async function completeKey(
  db: Queryable,
  vaultId: string,
  scheme: VaultScheme,
  key: KeyPublicData,
): Promise<void> {
  await db.query(
    `UPDATE vault_keys SET status = 'completed', finished_at = now(), key_id = $3,
       public_key = $4, public_key_package = $5::jsonb, chain_code = $6
     WHERE vault_id = $1 AND scheme = $2`,
    [
      vaultId,
      scheme,
      key.keyId,
      key.publicKey,
      JSON.stringify(key.publicKeyPackage),
      key.chainCode,
    ],
  );
  await auditVault(db, vaultId, 'vault.key-generated', {
    scheme,
    keyId: key.keyId,
    publicKey: key.publicKey,
  });
}

/**
 * Records a step of a vault's creation in its organisation's audit log, in the caller's
 * transaction (the job runs each step in one).
 */
async function auditVault(
  db: Queryable,
  vaultId: string,
  action: string,
  details: Record<string, unknown>,
): Promise<void> {
  const rows = await db.query<{ org_id: string }>('SELECT org_id FROM vaults WHERE id = $1', [
    vaultId,
  ]);
  if (!rows[0]) return;
  await appendAudit(db, {
    chain: rows[0].org_id,
    actor: SYSTEM_ACTOR,
    action,
    subject: vaultId,
    details,
  });
}

export async function failKey(
  db: Queryable,
  vaultId: string,
  scheme: VaultScheme,
  failure: Failure,
): Promise<void> {
  await db.query(
    `UPDATE vault_keys SET status = 'failed', finished_at = now(), failure = $3::jsonb
     WHERE vault_id = $1 AND scheme = $2`,
    [vaultId, scheme, JSON.stringify(failure)],
  );
  await auditVault(db, vaultId, 'vault.key-failed', {
    scheme,
    reason: failure.reason,
    culprits: [...failure.culprits],
  });
}

/** Ends a vault's creation: active when every key completed, failed (with why) otherwise. */
export async function settleVault(db: Queryable, vaultId: string): Promise<Vault['status']> {
  const keys = await keysOf(db, [vaultId]);
  const failed = keys.filter((k) => k.status !== 'completed');
  const failure: Failure | null =
    failed.length === 0
      ? null
      : {
          reason: failed
            .map((k) => `${k.scheme}: ${k.failure?.reason ?? 'did not complete'}`)
            .join('; '),
          culprits: [...new Set(failed.flatMap((k) => k.failure?.culprits ?? []))].sort(),
        };
  const status = failure ? 'failed' : 'active';
  await db.query(
    `UPDATE vaults SET status = $2, failure = $3::jsonb, updated_at = now() WHERE id = $1`,
    [vaultId, status, failure === null ? null : JSON.stringify(failure)],
  );
  await auditVault(
    db,
    vaultId,
    status === 'active' ? 'vault.activated' : 'vault.failed',
    failure ? { reason: failure.reason, culprits: [...failure.culprits] } : {},
  );
  return status;
}
