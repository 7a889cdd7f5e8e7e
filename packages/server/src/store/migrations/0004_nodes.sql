-- Signing nodes and the coordinator (issue 5, item 5).
-- The server's coordinator identity: one row, shared by every replica. Same shape as a
-- signing node's (Ed25519 signing key, X25519 encryption key, node id derived from both).
-- Its secret keys authenticate the server's commands to the nodes; they are not key shares:
-- a node still refuses to sign without approvals it verifies itself.
CREATE TABLE coordinator_identity (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  node_id text NOT NULL,
  signing_public_key text NOT NULL,
  encryption_public_key text NOT NULL,
  signing_secret_key text NOT NULL,
  encryption_secret_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Nodes enrolled per organisation by their public identity (node_id = nodeIdOf(keys)).
CREATE TABLE signing_nodes (
  org_id text NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  node_id text NOT NULL,
  name text NOT NULL,
  signing_public_key text NOT NULL,
  encryption_public_key text NOT NULL,
  enrolled_by text NOT NULL,
  enrolled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, node_id)
);
CREATE INDEX signing_nodes_node ON signing_nodes (node_id);

-- When a node last connected to or disconnected from a relay (any replica's).
CREATE TABLE node_contacts (
  node_id text PRIMARY KEY,
  last_contact_at timestamptz NOT NULL
);
