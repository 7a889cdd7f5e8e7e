/**
 * The organisation's approval keys (issue 6, item 6: "a passkey assertion with user
 * verification, or an API key's signature"): the ES256 passkeys of its members and the Ed25519
 * approval keys of its unrevoked API keys, each with the person it belongs to (`principal`: the
 * passkey's user, the API key's creator), so approvals count once per person. Vault genesis
 * documents take the owners' and admins' keys; published policy directories take everyone's.
 */
import type { PolicyApprover, Role } from '@coffer/protocol';
import type { Queryable } from '../../store/database.js';

/** The approver-id charset of the nodes (APPROVALS.md): longer credential ids cannot be named. */
const APPROVER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Approval keys of members holding one of `roles` (API keys: of that role), API keys first,
 * each list in creation order.
 */
export async function approvalKeys(
  db: Queryable,
  orgId: string,
  origin: string,
  roles: readonly Role[],
): Promise<PolicyApprover[]> {
  const apiKeys = await db.query<{ id: string; approval_public_key: string; created_by: string }>(
    `SELECT id, approval_public_key, created_by FROM api_keys
     WHERE org_id = $1 AND role = ANY($2::text[]) AND approval_public_key IS NOT NULL
       AND revoked_at IS NULL
     ORDER BY created_at, id`,
    [orgId, roles],
  );
  const passkeys = await db.query<{
    id: string;
    public_key_sec1: string;
    rp_id: string;
    user_id: string;
  }>(
    `SELECT p.id, p.public_key_sec1, p.rp_id, p.user_id FROM passkeys p
     JOIN memberships m ON m.user_id = p.user_id
     WHERE m.org_id = $1 AND m.role = ANY($2::text[]) AND p.public_key_sec1 IS NOT NULL
     ORDER BY p.created_at, p.id`,
    [orgId, roles],
  );
  return [
    ...apiKeys.map((k) => ({
      keyId: k.id,
      scheme: 'ed25519' as const,
      publicKey: k.approval_public_key,
      // An API key's approvals are its creator's: one person counts once (issue 6, item 4).
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
 * Whether an approval key of a published directory may still decide: its person is still a
 * member, and the key still exists (a passkey not deleted, an API key not revoked). A published
 * version's directory is a snapshot; the nodes judge by it, the server refuses keys that left
 * since (the next version drops them for the nodes too).
 */
export async function approvalKeyStillValid(
  db: Queryable,
  orgId: string,
  keyId: string,
  principal: string,
): Promise<boolean> {
  const rows = await db.query<{ ok: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM memberships WHERE org_id = $1 AND user_id = $3)
       AND (EXISTS (SELECT 1 FROM passkeys WHERE id = $2 AND user_id = $3)
         OR EXISTS (SELECT 1 FROM api_keys WHERE id = $2 AND org_id = $1 AND created_by = $3
                      AND revoked_at IS NULL)) AS ok`,
    [orgId, keyId, principal],
  );
  return rows[0]?.ok === true;
}
