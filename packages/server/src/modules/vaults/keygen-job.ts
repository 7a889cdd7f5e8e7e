/**
 * The background job that generates a vault's keys (issue 5, item 6): for every scheme still
 * to do, one key-generation session across the vault's nodes through the coordinator —
 * `dkg` on Ed25519 (frost-ed25519) or secp256k1 (frost-taproot: the frost-sign driver applies
 * the BIP341 tweak at signing time), `dkls23-keygen` for ECDSA — with the vault's genesis in
 * the params. It stores the public data only when every node completed with the same output
 * and that output names the vault's genesis hash; then the vault becomes active, or failed
 * with the reasons and the nodes blamed. A node that is not connected fails the scheme at
 * once, naming it.
 */
import { randomBytes } from 'node:crypto';
import type { DkgSessionOutput, SessionRequest } from '@coffer/node';
import type { Failure, Vault, VaultScheme } from '@coffer/protocol';
import type { Logger } from 'pino';
import type { Database } from '../../store/database.js';
import { NodesUnavailableError, type Coordinator } from '../coordinator/coordinator.js';
import { judgeSession } from '../coordinator/session-outcome.js';
import type { JobHandler } from '../jobs/job-runner.js';
import { completeKey, failKey, loadVault, markKeyRunning, settleVault } from './store.js';
import type { KeyPublicData } from './store.js';

export const VAULT_KEYGEN_JOB = 'vault-keygen';

/** The key-generation session of one scheme. */
export function keygenRequest(vault: Vault, scheme: VaultScheme): SessionRequest {
  const common = { structure: vault.structure, genesis: vault.genesis };
  const base = { sessionId: randomBytes(32).toString('hex'), participants: vault.parties };
  switch (scheme) {
    case 'frost-ed25519':
      return { ...base, protocol: 'dkg', params: { group: 'ed25519', ...common } };
    case 'frost-taproot':
      return { ...base, protocol: 'dkg', params: { group: 'secp256k1', ...common } };
    case 'ecdsa-secp256k1':
      return { ...base, protocol: 'dkls23-keygen', params: common };
  }
}

const EXPECTED_GROUP: Record<VaultScheme, DkgSessionOutput['group']> = {
  'frost-ed25519': 'ed25519',
  'frost-taproot': 'secp256k1',
  'ecdsa-secp256k1': 'secp256k1',
};

export interface KeygenJobOptions {
  readonly db: Database;
  readonly coordinator: Coordinator | undefined;
  readonly logger: Logger;
  /** Bound on one key-generation session (default 120 s). */
  readonly sessionTimeoutMs?: number;
}

/** Runs one scheme's session; resolves with the public data or a failure. */
async function generate(
  opts: KeygenJobOptions,
  vault: Vault,
  scheme: VaultScheme,
): Promise<{ key: KeyPublicData } | { failure: Failure }> {
  if (!opts.coordinator)
    return { failure: { reason: 'the coordinator is not running', culprits: [] } };
  const request = keygenRequest(vault, scheme);
  let outcomes;
  try {
    outcomes = await opts.coordinator.runSession(request, opts.sessionTimeoutMs ?? 120_000);
  } catch (error) {
    if (error instanceof NodesUnavailableError) {
      return { failure: { reason: error.message, culprits: [...error.nodeIds].sort() } };
    }
    throw error;
  }
  const verdict = judgeSession<DkgSessionOutput>(outcomes, vault.parties);
  if (!verdict.ok) return { failure: verdict.failure };
  const output = verdict.output;
  if (output.genesisHash !== vault.genesisHash || output.group !== EXPECTED_GROUP[scheme]) {
    return {
      failure: {
        reason: 'the nodes generated a key for another genesis or group',
        culprits: Object.values(vault.parties).sort(),
      },
    };
  }
  return {
    key: {
      keyId: output.keyId,
      publicKey: output.publicKey,
      publicKeyPackage: output.publicKeyPackage as unknown as Record<string, unknown>,
      chainCode: output.chainCode,
    },
  };
}

export function vaultKeygenJob(opts: KeygenJobOptions): JobHandler {
  const { db } = opts;
  return {
    async run(job) {
      const vault = await loadVault(db, job.subject);
      if (!vault || vault.status !== 'creating') return;
      const log = opts.logger.child({ vaultId: vault.id });
      for (const key of vault.keys) {
        if (key.status === 'completed') continue;
        await markKeyRunning(db, vault.id, key.scheme);
        log.info({ scheme: key.scheme }, 'vault key generation started');
        let result: Awaited<ReturnType<typeof generate>>;
        try {
          result = await generate(opts, vault, key.scheme);
        } catch (error) {
          log.error({ err: error, scheme: key.scheme }, 'vault key generation error');
          result = { failure: { reason: 'internal error', culprits: [] } };
        }
        if ('key' in result) {
          await db.transaction((tx) => completeKey(tx, vault.id, key.scheme, result.key));
          log.info({ scheme: key.scheme, keyId: result.key.keyId }, 'vault key generated');
        } else {
          await db.transaction((tx) => failKey(tx, vault.id, key.scheme, result.failure));
          log.warn({ scheme: key.scheme, failure: result.failure }, 'vault key generation failed');
        }
      }
      const status = await db.transaction((tx) => settleVault(tx, vault.id));
      log.info({ status }, 'vault creation ended');
    },
    async giveUp(job) {
      const vault = await loadVault(db, job.subject);
      if (!vault || vault.status !== 'creating') return;
      for (const key of vault.keys) {
        if (key.status === 'completed') continue;
        const reason = 'the server generating this key stopped too often; create the vault again';
        await db.transaction((tx) => failKey(tx, vault.id, key.scheme, { reason, culprits: [] }));
      }
      await db.transaction((tx) => settleVault(tx, vault.id));
    },
  };
}
