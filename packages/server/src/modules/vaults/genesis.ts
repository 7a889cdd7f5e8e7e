/**
 * Building a vault's genesis document (ARCHITECTURE.md "The trust chain for approvals",
 * step 1; packages/node APPROVALS.md "Vault genesis"): its first approval policy lists the
 * approval keys of the organisation's owners and admins at the moment the vault is created —
 * the Ed25519 approval keys of unrevoked admin API keys, and the ES256 passkeys (WebAuthn,
 * user verification required) of owner and admin members — with the requested quorum. The
 * nodes store it with their key shares and judge every signing request for the vault by it.
 */
import { genesisHash, parseVaultGenesis, type VaultGenesis } from '@coffer/node';
import type { PolicyApprover } from '@coffer/protocol';
import { conflict } from '../../http/server-error.js';
import type { Queryable } from '../../store/database.js';

/** The policy's approver-id charset (APPROVALS.md): longer credential ids cannot be named. */
const APPROVER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The approval keys of the organisation's owners and admins, API keys first. */
export async function adminApprovers(
  db: Queryable,
  orgId: string,
  origin: string,
): Promise<PolicyApprover[]> {
  const apiKeys = await db.query<{ id: string; approval_public_key: string; created_by: string }>(
    `SELECT id, approval_public_key, created_by FROM api_keys
     WHERE org_id = $1 AND role = 'admin' AND approval_public_key IS NOT NULL
       AND revoked_at IS NULL
     ORDER BY created_at, id`,
    [orgId],
  );
  const passkeys = await db.query<{
    id: string;
    public_key_sec1: string;
    rp_id: string;
    user_id: string;
  }>(
    `SELECT p.id, p.public_key_sec1, p.rp_id, p.user_id FROM passkeys p
     JOIN memberships m ON m.user_id = p.user_id
     WHERE m.org_id = $1 AND m.role IN ('owner', 'admin') AND p.public_key_sec1 IS NOT NULL
     ORDER BY p.created_at, p.id`,
    [orgId],
  );
  return [
    ...apiKeys.map((k) => ({
      keyId: k.id,
      scheme: 'ed25519' as const,
      publicKey: k.approval_public_key,
      // An API key's approvals are its creator's: one admin counts once (issue 6, item 4).
      principal: k.created_by,
    })),
    ...passkeys
      .filter((p) => APPROVER_ID.test(p.id))
      .map((p) => ({
        keyId: p.id,
        scheme: 'webauthn-es256' as const,
        publicKey: p.public_key_sec1,
        rpId: p.rp_id,
        origins: [origin],
        principal: p.user_id,
      })),
  ];
}

/**
 * The genesis of a new vault and its hash. CONFLICT when the organisation has no approval key
 * yet, or fewer than `quorum`.
 */
export async function buildGenesis(
  db: Queryable,
  input: { orgId: string; vaultId: string; quorum: number; origin: string },
): Promise<{ genesis: VaultGenesis; hash: string }> {
  const approvers = await adminApprovers(db, input.orgId, input.origin);
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
