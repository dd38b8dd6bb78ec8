# The dev image of docker-compose.yml's schemasync service: Node 20 and sqlc. The project is
# bind-mounted at /app at run time (nothing is copied in); dependencies are installed into a
# named volume when the container starts, and only when package-lock.json changed.
FROM node:20-bookworm

# sqlc's official image holds the one static binary; without it the sqlc step is off.
COPY --from=sqlc/sqlc:1.30.0 /workspace/sqlc /usr/local/bin/sqlc

# The service runs as the host user (compose `user:`), whose uid the image cannot know: the
# node_modules volume (initialized from this folder) and npm's cache must be writable by anyone.
RUN mkdir -p /app/node_modules /tmp/npm-cache && chmod 1777 /app/node_modules /tmp/npm-cache
ENV npm_config_cache=/tmp/npm-cache npm_config_update_notifier=false

WORKDIR /app
# The same command as docker-compose.yml's (see there why each part is what it is), for `docker run`.
CMD ["sh", "-c", "lock=$(sha256sum package-lock.json); [ \"$(cat node_modules/.installed-lock 2>/dev/null)\" = \"$lock\" ] || { npm ci --no-audit --no-fund && echo \"$lock\" > node_modules/.installed-lock; } && exec node bin/schemasync.js watch --host 0.0.0.0"]
