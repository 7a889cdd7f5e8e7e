/**
 * First-run bootstrap (issue 5, "First-run bootstrap creates the owner safely"): there is no
 * default password. While the instance has no user, it holds the hash of a one-time token —
 * generated at start and written to `<dataDir>/bootstrap-token` (mode 0600, readable only by
 * whoever runs the server), or given as COFFER_BOOTSTRAP_TOKEN — and the first account can
 * only be created by presenting it. Creating the owner consumes the token in the same
 * transaction, so two racing bootstrap calls cannot both succeed.
 */
import { timingSafeEqual } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { newSecretToken, tokenHash } from '../../ids.js';
import { ServerError } from '../../http/server-error.js';
import type { Database, Queryable } from '../../store/database.js';
import { countUsers } from './users-store.js';

const SETTING = 'bootstrap';
export const BOOTSTRAP_TOKEN_FILE = 'bootstrap-token';

/** At start: make sure an un-bootstrapped instance has a token; returns whether it has users. */
export async function prepareBootstrap(
  db: Database,
  options: { dataDir: string; configuredToken: string | undefined; log: Logger },
): Promise<{ bootstrapped: boolean }> {
  if ((await countUsers(db)) > 0) return { bootstrapped: true };
  const token = options.configuredToken ?? newSecretToken();
  const inserted = await db.query(
    `INSERT INTO instance_settings (key, value) VALUES ($1, $2::jsonb)
     ON CONFLICT (key) DO ${options.configuredToken ? 'UPDATE SET value = EXCLUDED.value' : 'NOTHING'}
     RETURNING key`,
    [SETTING, JSON.stringify({ tokenHash: tokenHash(token) })],
  );
  if (options.configuredToken) {
    options.log.warn(
      'no owner yet: create one with the bootstrap token from COFFER_BOOTSTRAP_TOKEN',
    );
  } else if (inserted.length > 0) {
    const file = join(options.dataDir, BOOTSTRAP_TOKEN_FILE);
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    options.log.warn({ file }, 'no owner yet: create one with the one-time token in this file');
  } else {
    options.log.warn('no owner yet: the bootstrap token was issued by an earlier start');
  }
  return { bootstrapped: false };
}

/** Inside the bootstrap transaction: consumes the token or throws. */
export async function consumeBootstrapToken(tx: Queryable, token: string): Promise<void> {
  const rows = await tx.query<{ value: { tokenHash: string } }>(
    'SELECT value FROM instance_settings WHERE key = $1 FOR UPDATE',
    [SETTING],
  );
  if ((await countUsers(tx)) > 0 || rows[0] === undefined) {
    throw new ServerError('CONFLICT', 'this instance already has an owner');
  }
  const expected = Buffer.from(rows[0].value.tokenHash, 'hex');
  const actual = Buffer.from(tokenHash(token), 'hex');
  if (!timingSafeEqual(expected, actual)) {
    throw new ServerError('FORBIDDEN', 'wrong bootstrap token');
  }
  await tx.query('DELETE FROM instance_settings WHERE key = $1', [SETTING]);
}

export async function isBootstrapped(db: Queryable): Promise<boolean> {
  return (await countUsers(db)) > 0;
}

export function removeBootstrapTokenFile(dataDir: string): void {
  rmSync(join(dataDir, BOOTSTRAP_TOKEN_FILE), { force: true });
}
