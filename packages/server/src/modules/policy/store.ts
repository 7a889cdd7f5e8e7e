/**
 * Policy versions and the admins' decisions on them (tables `policy_versions`,
 * `policy_approvals`; issue 6, item 5). Version 1 is each vault's genesis policy and is not
 * stored here; published versions start at 2. A decision row holds the approval exactly as a
 * signing node verifies it, stored only after the server verified it.
 */
import {
  policyApprovalPayloadJson,
  type Approval,
  type PolicyVersion,
  type PublishedPolicy,
} from '@coffer/protocol';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { Queryable } from '../../store/database.js';

interface VersionRow {
  org_id: string;
  policy_version: number;
  document: PublishedPolicy;
  hash: string;
  status: PolicyVersion['status'];
  admin_quorum: number;
  proposed_by: string;
  created_at: Date;
  decided_at: Date | null;
}

interface DecisionRow {
  policy_version: number;
  approver_key_id: string;
  principal: string;
  decision: 'approve' | 'reject';
  approval: Approval;
  approved_at: Date;
}

export interface StoredPolicyVersion {
  readonly orgId: string;
  readonly policyVersion: number;
  readonly document: PublishedPolicy;
  readonly hash: string;
  readonly status: PolicyVersion['status'];
  readonly adminQuorum: number;
  readonly proposedBy: string;
  readonly createdAt: Date;
  readonly decidedAt: Date | null;
  readonly decisions: readonly {
    readonly approval: Approval;
    readonly principal: string;
    readonly decision: 'approve' | 'reject';
    readonly at: Date;
  }[];
}

/** The approvals (decision approve) of a version, as a node's evidence carries them. */
export const approvalsOf = (version: StoredPolicyVersion): Approval[] =>
  version.decisions.filter((d) => d.decision === 'approve').map((d) => d.approval);

const challengeOf = (payload: string) =>
  Buffer.from(sha256(utf8ToBytes(payload))).toString('base64url');

/** The part of a vault's genesis that decides which policy versions its nodes accept. */
export interface GenesisRoster {
  readonly policy: {
    readonly quorum: number;
    readonly approvers: readonly { keyId: string; principal?: string | undefined }[];
  };
}

/** Whether the genesis approvers of a vault approved the version with the genesis quorum. */
export function genesisAcceptance(
  genesis: GenesisRoster,
  version: StoredPolicyVersion,
): { accepted: boolean; missing: string | null } {
  const people = new Set<string>();
  for (const { approval, decision } of version.decisions) {
    if (decision !== 'approve') continue;
    // A key id names one key for good (a passkey credential, an API key), so the signature
    // the server verified is the one the node will verify under its genesis copy.
    const approver = genesis.policy.approvers.find((a) => a.keyId === approval.approverKeyId);
    if (approver) people.add(approver.principal ?? approver.keyId);
  }
  const { quorum } = genesis.policy;
  return people.size >= quorum
    ? { accepted: true, missing: null }
    : {
        accepted: false,
        missing: `${people.size} of ${quorum} of the vault's genesis approvers approved it`,
      };
}

export function versionView(
  version: StoredPolicyVersion,
  currentVersion: number,
  vaults: readonly { id: string; genesis: GenesisRoster }[],
): PolicyVersion {
  const payload = (decision: 'approve' | 'reject') =>
    policyApprovalPayloadJson({
      orgId: version.orgId,
      policyVersion: version.policyVersion,
      hash: version.hash,
      decision,
    });
  const approvalPayload = payload('approve');
  const rejectionPayload = payload('reject');
  return {
    orgId: version.orgId,
    policyVersion: version.policyVersion,
    status: version.status,
    current: version.policyVersion === currentVersion,
    hash: version.hash,
    document: version.document,
    adminQuorum: version.adminQuorum,
    proposedBy: version.proposedBy,
    approvalPayload,
    challenge: challengeOf(approvalPayload),
    rejectionPayload,
    rejectionChallenge: challengeOf(rejectionPayload),
    approvals: version.decisions.map((d) => ({
      approverKeyId: d.approval.approverKeyId,
      scheme: d.approval.scheme,
      principal: d.principal,
      decision: d.decision,
      approvedAt: d.at.toISOString(),
    })),
    vaults: vaults.map((v) => ({ vaultId: v.id, ...genesisAcceptance(v.genesis, version) })),
    createdAt: version.createdAt.toISOString(),
    decidedAt: version.decidedAt?.toISOString() ?? null,
  };
}

async function load(
  db: Queryable,
  where: string,
  params: unknown[],
  suffix = '',
): Promise<StoredPolicyVersion[]> {
  const rows = await db.query<VersionRow>(
    `SELECT * FROM policy_versions WHERE ${where} ORDER BY policy_version DESC ${suffix}`,
    params,
  );
  if (rows.length === 0) return [];
  const decisions = await db.query<DecisionRow>(
    `SELECT * FROM policy_approvals WHERE org_id = $1 AND policy_version = ANY($2::int[])
     ORDER BY approved_at, approver_key_id`,
    [rows[0]!.org_id, rows.map((r) => r.policy_version)],
  );
  return rows.map((row) => ({
    orgId: row.org_id,
    policyVersion: row.policy_version,
    document: row.document,
    hash: row.hash,
    status: row.status,
    adminQuorum: row.admin_quorum,
    proposedBy: row.proposed_by,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
    decisions: decisions
      .filter((d) => d.policy_version === row.policy_version)
      .map((d) => ({
        approval: d.approval,
        principal: d.principal,
        decision: d.decision,
        at: d.approved_at,
      })),
  }));
}

export const listPolicyVersions = (db: Queryable, orgId: string) =>
  load(db, 'org_id = $1', [orgId]);

/** One version; `forUpdate` locks its row for the caller's transaction. */
export async function findPolicyVersion(
  db: Queryable,
  orgId: string,
  policyVersion: number,
  forUpdate = false,
): Promise<StoredPolicyVersion | null> {
  const found = await load(
    db,
    'org_id = $1 AND policy_version = $2',
    [orgId, policyVersion],
    forUpdate ? 'FOR UPDATE' : '',
  );
  return found[0] ?? null;
}

/** The published version new requests are judged by (null: the vaults' genesis policies). */
export async function currentPolicy(
  db: Queryable,
  orgId: string,
): Promise<StoredPolicyVersion | null> {
  const found = await load(db, "org_id = $1 AND status = 'published'", [orgId], 'LIMIT 1');
  return found[0] ?? null;
}

/** The highest version number used so far (1 when none: the genesis policies). */
export async function latestVersionNumber(db: Queryable, orgId: string): Promise<number> {
  const rows = await db.query<{ latest: number | null }>(
    'SELECT max(policy_version) AS latest FROM policy_versions WHERE org_id = $1',
    [orgId],
  );
  return rows[0]?.latest ?? 1;
}

export async function insertPolicyVersion(
  tx: Queryable,
  input: {
    document: PublishedPolicy;
    hash: string;
    adminQuorum: number;
    proposedBy: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO policy_versions (org_id, policy_version, document, hash, status, admin_quorum,
       proposed_by)
     VALUES ($1, $2, $3::jsonb, $4, 'proposed', $5, $6)`,
    [
      input.document.orgId,
      input.document.policyVersion,
      JSON.stringify(input.document),
      input.hash,
      input.adminQuorum,
      input.proposedBy,
    ],
  );
}

export async function insertPolicyDecision(
  tx: Queryable,
  input: {
    orgId: string;
    policyVersion: number;
    approval: Approval;
    principal: string;
    decision: 'approve' | 'reject';
    submittedBy: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO policy_approvals (org_id, policy_version, approver_key_id, principal, decision,
       approval, submitted_by)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
    [
      input.orgId,
      input.policyVersion,
      input.approval.approverKeyId,
      input.principal,
      input.decision,
      JSON.stringify(input.approval),
      input.submittedBy,
    ],
  );
}

export async function setPolicyVersionStatus(
  tx: Queryable,
  orgId: string,
  policyVersion: number,
  from: PolicyVersion['status'],
  to: PolicyVersion['status'],
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE policy_versions SET status = $4, decided_at = now()
     WHERE org_id = $1 AND policy_version = $2 AND status = $3 RETURNING policy_version`,
    [orgId, policyVersion, from, to],
  );
  return rows.length > 0;
}
