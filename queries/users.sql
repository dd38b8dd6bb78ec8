-- name: GetUserByEmail :one
SELECT id, email, display_name, password_hash, last_login_at, created_at, updated_at
FROM users
WHERE lower(email) = lower(sqlc.arg(email));

-- name: CreateUser :one
INSERT INTO users (email, display_name, password_hash)
VALUES ($1, $2, $3)
RETURNING id, email, display_name, password_hash, last_login_at, created_at, updated_at;

-- name: TouchUserLogin :exec
UPDATE users SET last_login_at = now() WHERE id = $1;
