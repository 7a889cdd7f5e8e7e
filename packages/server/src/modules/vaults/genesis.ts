/**
 * Building a vault's genesis document (ARCHITECTURE.md "The trust chain for approvals",
 * step 1; packages/node APPROVALS.md "Vault genesis"): its first approval policy lists the
 * approval keys of the organisation's owners and admins at the moment the vault is created —
 * the Ed25519 approval keys of unrevoked admin API keys, and the ES256 passkeys (WebAuthn,
 * user verification required) of owner and admin members — with the requested quorum. The
 * nodes store it with their key shares and judge every signing request for the vault by it.
 */
import { genesisHash, parseVaultGenesis, type VaultGenesis } from '@coffer/node';
import { conflict } from '../../http/server-error.js';
import type { Queryable } from '../../store/database.js';
import { approvalKeys } from '../policy/approval-keys.js';

/**
 * The genesis of a new vault and its hash. CONFLICT when the organisation has no approval key
 * yet, or fewer than `quorum`.
 */
export async function buildGenesis(
  db: Queryable,
  input: { orgId: string; vaultId: string; quorum: number; origin: string },
): Promise<{ genesis: VaultGenesis; hash: string }> {
  const approvers = await approvalKeys(db, input.orgId, input.origin, ['owner', 'admin']);
  if (approvers.length === 0) {
    throw conflict(
      'the organisation has no approval key: an owner or admin must first register a passkey, ' +
        'or create an admin API key with an approval public key',
    );
  }
  const people = new Set(approvers.map((a) => a.principal)).size;
  if (input.quorum > people) {
    throw conflict(
      `approvalQuorum ${input.quorum} exceeds the ${people} owner(s) and admin(s) with an ` +
        'approval key (approvals count once per person)',
    );
  }
  // Checked with the nodes' own parser, so the nodes cannot refuse what is stored here.
  const genesis = parseVaultGenesis({
    v: 1,
    vaultId: input.vaultId,
    orgId: input.orgId,
    policy: {
      version: 1,
      vaultId: input.vaultId,
      policyVersion: 1,
      quorum: input.quorum,
      approvers,
    },
  });
  return { genesis, hash: genesisHash(genesis) };
}
