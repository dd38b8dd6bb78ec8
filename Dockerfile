# The dev image of docker-compose.yml's schemasync service: Node 20 and sqlc. The project is
# bind-mounted at /app at run time (nothing is copied in), and `npm ci` runs when the container
# starts, so the image only carries what npm cannot install.
FROM node:20-bookworm

# sqlc's official image holds the one static binary; without it the sqlc step is skipped
# with a warning.
COPY --from=sqlc/sqlc:1.30.0 /workspace/sqlc /usr/local/bin/sqlc

WORKDIR /app
CMD ["sh", "-c", "npm ci && exec npx schemasync watch --port 4000 --host 0.0.0.0"]
