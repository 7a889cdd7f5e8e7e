-- External approvers (issue 6, item 7): endpoints an organisation configures, and the calls a
-- policy stage makes to them. A call id is random and answered at most once (replay
-- protection); calls are claimed with FOR UPDATE SKIP LOCKED under a lease, so two replicas
-- never call at once. The HMAC secret is stored in the clear (the server signs with it).
CREATE TABLE external_approvers (
  org_id text NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  endpoint_id text NOT NULL,
  name text NOT NULL,
  url text NOT NULL,
  public_key text NOT NULL,
  secret text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, endpoint_id)
);

CREATE TABLE external_calls (
  call_id text PRIMARY KEY,
  org_id text NOT NULL,
  request_id text NOT NULL REFERENCES signature_requests (id) ON DELETE CASCADE,
  endpoint_id text NOT NULL,
  stage integer NOT NULL,
  on_timeout text NOT NULL CHECK (on_timeout IN ('fail', 'retry')),
  status text NOT NULL CHECK (status IN ('pending', 'answered', 'timed_out', 'cancelled')),
  payload jsonb NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  deadline_at timestamptz NOT NULL,
  leased_by text,
  lease_until timestamptz,
  last_error text,
  decision text CHECK (decision IN ('approve', 'reject')),
  reason text,
  signature text,
  answered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX external_calls_due ON external_calls (status, next_attempt_at);
CREATE INDEX external_calls_request ON external_calls (request_id);
