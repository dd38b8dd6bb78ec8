-- name: CreateUserSession :one
INSERT INTO user_sessions (user_id, token_hash, user_agent, ip_address, expires_at)
VALUES ($1, $2, $3, $4, $5)
RETURNING id, user_id, expires_at, created_at;

-- name: GetUserSessionByTokenHash :one
SELECT s.id, s.user_id, s.expires_at, u.email, u.display_name
FROM user_sessions s
JOIN users u ON u.id = s.user_id
WHERE s.token_hash = $1 AND s.expires_at > now();

-- name: DeleteExpiredUserSessions :execrows
DELETE FROM user_sessions WHERE expires_at <= now();
