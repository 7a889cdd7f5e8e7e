-- Identity and organisations (issue 5, "Identity", "Organisations and roles").
CREATE TABLE users (
  id text PRIMARY KEY,
  email text NOT NULL UNIQUE,
  display_name text NOT NULL,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Server-side sessions: the cookie carries a random token, the table only its SHA-256.
CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE organisations (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
  org_id text NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'approver', 'initiator', 'viewer', 'auditor')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- Instance-wide settings, e.g. the hash of the first-run bootstrap token.
CREATE TABLE instance_settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL
);

-- TOTP second factor (RFC 6238); enabled once confirmed with a first valid code.
-- last_step: the last accepted time step, so a code is accepted at most once.
CREATE TABLE user_totp (
  user_id text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  secret text NOT NULL,
  confirmed_at timestamptz,
  last_step integer
);

-- API keys for machine clients: scoped to one organisation and one role, stored hashed,
-- revocable. approval_public_key: optional Ed25519 key whose signatures count as approvals.
CREATE TABLE api_keys (
  id text PRIMARY KEY,
  org_id text NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'approver', 'initiator', 'viewer', 'auditor')),
  secret_hash text NOT NULL UNIQUE,
  approval_public_key text,
  created_by text NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_org ON api_keys (org_id);

-- Invitations: an admin invites an email address with a role; the invitee registers (or,
-- already registered, accepts) with the token, which is stored only as its SHA-256.
CREATE TABLE invites (
  id text PRIMARY KEY,
  org_id text NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  email text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'approver', 'initiator', 'viewer', 'auditor')),
  token_hash text NOT NULL UNIQUE,
  created_by text NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  accepted_by text REFERENCES users (id),
  revoked_at timestamptz
);
CREATE INDEX invites_org ON invites (org_id);
