-- Passkeys (WebAuthn Level 3; issue 5, "Identity"). Nothing here is secret: a passkey's
-- private key never leaves its authenticator.
-- id: the credential id, base64url. public_key: the COSE_Key (RFC 9052 §7) as registered.
-- public_key_sec1: for ES256 keys, the uncompressed SEC1 P-256 point in hex (04 || x || y);
-- signing nodes verify webauthn-es256 approvals with it (packages/node/APPROVALS.md).
-- sign_count: the authenticator's 32-bit signature counter (WebAuthn L3 §6.1.1), kept in a
-- double precision column because it exceeds integer and int8 columns are avoided.
CREATE TABLE passkeys (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  rp_id text NOT NULL,
  algorithm integer NOT NULL,
  public_key bytea NOT NULL,
  public_key_sec1 text,
  sign_count double precision NOT NULL DEFAULT 0
    CHECK (sign_count >= 0 AND sign_count <= 4294967295 AND sign_count = floor(sign_count)),
  transports jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz
);
CREATE INDEX passkeys_user ON passkeys (user_id);

-- WebAuthn ceremony challenges (WebAuthn L3 §13.4.3): random, short-lived, single use.
-- Registration challenges belong to the logged-in user; a login challenge names the user
-- only when the login started with an email, and is NULL for a discoverable (usernameless) one.
CREATE TABLE webauthn_challenges (
  challenge text PRIMARY KEY,
  purpose text NOT NULL CHECK (purpose IN ('registration', 'authentication')),
  user_id text REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges (expires_at);
