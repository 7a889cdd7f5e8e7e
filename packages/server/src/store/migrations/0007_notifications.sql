-- Webhooks and their delivery log (issue 6, item 9). The audit log is the event source: a
-- webhook's cursor is the last seq of its organisation's chain turned into deliveries, advanced
-- in the transaction that inserts them. The signing secret is stored in the clear (the server
-- needs it to sign), like the TOTP secret.
CREATE TABLE webhooks (
  id text PRIMARY KEY,
  org_id text NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  url text NOT NULL,
  events jsonb NOT NULL,
  description text,
  secret text NOT NULL,
  cursor_seq integer NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_org ON webhooks (org_id);

-- One delivery per (webhook, audit entry); claimed with FOR UPDATE SKIP LOCKED under a lease.
CREATE TABLE webhook_deliveries (
  id text PRIMARY KEY,
  webhook_id text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  chain text NOT NULL,
  seq integer NOT NULL,
  action text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'delivering', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  leased_by text,
  lease_until timestamptz,
  last_status_code integer,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (webhook_id, chain, seq)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
