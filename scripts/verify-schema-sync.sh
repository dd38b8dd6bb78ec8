#!/usr/bin/env bash
# Checks that the databases, prisma/schema.prisma, the Prisma client and the sqlc code follow the
# goose migrations. A thin wrapper: `schemasync verify` does the work (see README, "Drift").
# Exit 0 in sync, 1 drift found, 2 could not check. Arguments pass through (--json, --rollback, --no-shadow).
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx --no-install schemasync verify "$@"
