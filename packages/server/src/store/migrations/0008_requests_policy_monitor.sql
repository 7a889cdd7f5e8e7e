-- Requests under the policy engine (issue 6, items 1–6). A signature request now carries its
-- normalised intent, who proposed it, the policy decision and when it expires; approvals
-- record decisions (approve or reject) and the person behind the key. Policy versions are
-- governed: a proposed version is published once the admin quorum approved it, and its
-- approvals are what the signing nodes check (packages/node APPROVALS.md, evidence v2). Last,
-- what the monitor needs to judge node health.
ALTER TABLE signature_requests DROP CONSTRAINT signature_requests_status_check;
ALTER TABLE signature_requests ADD CONSTRAINT signature_requests_status_check CHECK (status IN ('pending_policy', 'pending_approval', 'approved', 'signing', 'signed', 'broadcast', 'confirmed', 'rejected', 'cancelled', 'expired', 'failed'));
ALTER TABLE signature_requests ALTER COLUMN quorum DROP NOT NULL;
-- The payloads approvers sign are derived from the request's fields (expectedDecisionPayload).
ALTER TABLE signature_requests DROP COLUMN approval_payload;
ALTER TABLE signature_requests ADD COLUMN intent jsonb;
ALTER TABLE signature_requests ADD COLUMN initiator jsonb;
ALTER TABLE signature_requests ADD COLUMN decision jsonb;
ALTER TABLE signature_requests ADD COLUMN expires_at timestamptz;
ALTER TABLE signature_requests ADD COLUMN idempotency_key text;
ALTER TABLE signature_requests ADD COLUMN request_hash text;
ALTER TABLE signature_requests ADD COLUMN progress jsonb;
-- The velocity records the policy summed over when it judged the request (sent to the nodes).
ALTER TABLE signature_requests ADD COLUMN velocity jsonb NOT NULL DEFAULT '[]';
-- Requests made before this migration: raw-digest messages judged by the genesis policy.
UPDATE signature_requests SET
  intent = jsonb_build_object('version', 1, 'kind', 'message', 'chain', 'raw', 'asset', 'raw', 'amount', '0', 'source', jsonb_build_object('vaultId', vault_id), 'digests', jsonb_build_array(digest)),
  initiator = jsonb_build_object('kind', CASE WHEN created_by LIKE 'key\_%' THEN 'api-key' ELSE 'user' END, 'id', created_by, 'role', 'initiator'),
  decision = jsonb_build_object('outcome', 'require-approvals', 'ruleId', NULL, 'ruleName', NULL, 'reasons', jsonb_build_array('the vault''s genesis policy')),
  progress = jsonb_build_object('state', CASE WHEN status = 'pending_approval' THEN 'pending' ELSE 'approved' END, 'stage', 0, 'missing', jsonb_build_array()),
  expires_at = created_at + interval '1 day';
ALTER TABLE signature_requests ALTER COLUMN intent SET NOT NULL;
ALTER TABLE signature_requests ALTER COLUMN initiator SET NOT NULL;
ALTER TABLE signature_requests ALTER COLUMN decision SET NOT NULL;
ALTER TABLE signature_requests ALTER COLUMN expires_at SET NOT NULL;
ALTER TABLE signature_requests ALTER COLUMN progress SET NOT NULL;
CREATE UNIQUE INDEX signature_requests_idempotency ON signature_requests (org_id, created_by, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX signature_requests_org_created ON signature_requests (org_id, created_at);
CREATE INDEX signature_requests_open ON signature_requests (status, expires_at);

ALTER TABLE signature_approvals ADD COLUMN decision text NOT NULL DEFAULT 'approve' CHECK (decision IN ('approve', 'reject'));
ALTER TABLE signature_approvals ADD COLUMN principal text;

-- Policy versions of an organisation, from 2 (version 1 is each vault's genesis policy).
CREATE TABLE policy_versions (
  org_id text NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  policy_version integer NOT NULL CHECK (policy_version >= 2),
  document jsonb NOT NULL,
  hash text NOT NULL,
  status text NOT NULL CHECK (status IN ('proposed', 'published', 'rejected', 'withdrawn')),
  admin_quorum integer NOT NULL,
  proposed_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz,
  PRIMARY KEY (org_id, policy_version)
);

-- Admins' decisions on a version, signed over policyApprovalPayloadJson, verified first.
CREATE TABLE policy_approvals (
  org_id text NOT NULL,
  policy_version integer NOT NULL,
  approver_key_id text NOT NULL,
  principal text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('approve', 'reject')),
  approval jsonb NOT NULL,
  submitted_by text NOT NULL,
  approved_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, policy_version, approver_key_id),
  FOREIGN KEY (org_id, policy_version) REFERENCES policy_versions (org_id, policy_version) ON DELETE CASCADE
);

-- The monitor (issue 6, item 10): whether a node holds a relay connection to any replica, and
-- the health it last judged for each enrolled node (a change is audited once).
ALTER TABLE node_contacts ADD COLUMN connected boolean NOT NULL DEFAULT false;
ALTER TABLE signing_nodes ADD COLUMN health text NOT NULL DEFAULT 'healthy' CHECK (health IN ('healthy', 'unhealthy'));
ALTER TABLE signing_nodes ADD COLUMN health_reason text;
ALTER TABLE signing_nodes ADD COLUMN health_changed_at timestamptz;
