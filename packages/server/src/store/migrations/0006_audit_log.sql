-- The hash-chained audit log (issue 6, "Audit"): one chain per organisation ('instance' for
-- instance-wide events). Appended in the same transaction as the change it records; the
-- table refuses UPDATE and DELETE, and the chain shows any change made around that.
CREATE TABLE audit_log (
  chain text NOT NULL,
  seq integer NOT NULL,
  at text NOT NULL,
  actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'api-key', 'system')),
  actor_id text NOT NULL,
  action text NOT NULL,
  subject text,
  details jsonb NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (chain, seq)
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
