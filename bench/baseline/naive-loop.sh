#!/bin/sh
# The baseline: the loop a team writes without schemasync, run by chokidar-cli (through a shell,
# as chokidar-cli runs every command) on each change. BENCH_MARKS gets one "start"/"end" line per
# run so the benchmark can count runs and see when the last one ended; nothing else is measured
# from inside. GOOSE_DRIVER/GOOSE_DBSTRING/DATABASE_URL come from the environment.
echo start >> "$BENCH_MARKS"
"$GOOSE_BIN" -dir migrations/postgres up \
  && { [ -z "$BENCH_CLICKHOUSE_DSN" ] || "$GOOSE_BIN" -dir migrations/clickhouse -timeout 5s clickhouse "$BENCH_CLICKHOUSE_DSN" up; } \
  && node node_modules/prisma/build/index.js db pull --config prisma.config.ts --schema prisma/schema.prisma \
  && node node_modules/prisma/build/index.js generate --config prisma.config.ts --schema prisma/schema.prisma \
  && "$SQLC_BIN" generate
echo "end $?" >> "$BENCH_MARKS"
