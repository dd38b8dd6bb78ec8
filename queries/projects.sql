-- name: ListProjectsBySpace :many
SELECT id, space_id, name, description, created_at, updated_at
FROM projects
WHERE space_id = $1 AND archived_at IS NULL
ORDER BY name;

-- name: GetProject :one
SELECT id, space_id, name, description, archived_at, created_at, updated_at
FROM projects
WHERE id = $1;

-- name: AddProjectMember :exec
INSERT INTO project_members (project_id, user_id, role)
VALUES ($1, $2, $3)
ON CONFLICT (project_id, user_id) DO UPDATE SET role = EXCLUDED.role;
