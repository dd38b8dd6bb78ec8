-- name: GetLiveApiKeyByHash :one
SELECT id, project_id, name, key_prefix, scope, expires_at, last_used_at
FROM api_keys
WHERE key_hash = $1
  AND revoked_at IS NULL
  AND (expires_at IS NULL OR expires_at > now());

-- name: CreateApiKey :one
INSERT INTO api_keys (project_id, created_by, name, key_prefix, key_hash, scope, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id, project_id, name, key_prefix, scope, expires_at, created_at;

-- name: RevokeApiKey :exec
UPDATE api_keys SET revoked_at = now()
WHERE id = $1 AND project_id = $2 AND revoked_at IS NULL;
