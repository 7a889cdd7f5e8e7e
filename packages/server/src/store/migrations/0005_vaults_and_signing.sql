-- Vaults, their keys' public data, signature requests and the background jobs that run the
-- nodes' sessions (issue 5, items 6 and 7). Only public data: no share is ever stored here.
CREATE TABLE vaults (
  id text PRIMARY KEY,
  org_id text NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  name text NOT NULL,
  structure text NOT NULL,
  parties jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('creating', 'active', 'failed')),
  failure jsonb,
  genesis jsonb NOT NULL,
  genesis_hash text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vaults_org ON vaults (org_id);

-- One key per (vault, scheme); position keeps the order the schemes were asked for.
CREATE TABLE vault_keys (
  vault_id text NOT NULL REFERENCES vaults (id) ON DELETE CASCADE,
  scheme text NOT NULL CHECK (scheme IN ('ecdsa-secp256k1', 'frost-ed25519', 'frost-taproot')),
  position integer NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  started_at timestamptz,
  finished_at timestamptz,
  key_id text,
  public_key text,
  public_key_package jsonb,
  chain_code text,
  failure jsonb,
  PRIMARY KEY (vault_id, scheme)
);

CREATE TABLE signature_requests (
  id text PRIMARY KEY,
  org_id text NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  vault_id text NOT NULL REFERENCES vaults (id) ON DELETE CASCADE,
  scheme text NOT NULL,
  digest text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending_approval', 'approved', 'signing', 'signed', 'failed')),
  policy_version integer NOT NULL,
  quorum integer NOT NULL,
  approval_payload text NOT NULL,
  result jsonb,
  failure jsonb,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signature_requests_vault ON signature_requests (vault_id, created_at);

-- Approvals in the nodes' evidence format, verified before they are stored.
CREATE TABLE signature_approvals (
  request_id text NOT NULL REFERENCES signature_requests (id) ON DELETE CASCADE,
  approver_key_id text NOT NULL,
  scheme text NOT NULL,
  approval jsonb NOT NULL,
  submitted_by text NOT NULL,
  approved_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (request_id, approver_key_id)
);

-- Background jobs: claimed with SELECT … FOR UPDATE SKIP LOCKED and held by a lease, so
-- several replicas never run one job at once and a crashed replica's job is taken over.
CREATE TABLE jobs (
  id text PRIMARY KEY,
  kind text NOT NULL,
  subject text NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  leased_by text,
  lease_until timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_claimable ON jobs (status, created_at);
