-- API keys are shown once at creation; only a hash of the key and its short public
-- prefix (to tell keys apart in the UI) are stored.

-- +goose Up
CREATE TYPE api_key_scope AS ENUM ('read', 'write', 'admin');

CREATE TABLE api_keys (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id    uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
  name          text NOT NULL,
  key_prefix    varchar(12) NOT NULL,
  key_hash      bytea NOT NULL,
  scope         api_key_scope NOT NULL DEFAULT 'read',
  last_used_at  timestamptz,
  expires_at    timestamptz,
  revoked_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX api_keys_key_hash_key ON api_keys (key_hash);
-- Lookups only ever concern keys that still work.
CREATE INDEX api_keys_project_id_live_idx ON api_keys (project_id) WHERE revoked_at IS NULL;

CREATE TRIGGER api_keys_set_updated_at
  BEFORE UPDATE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- +goose Down
DROP TABLE api_keys;
DROP TYPE api_key_scope;
