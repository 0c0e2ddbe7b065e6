# syntax=docker/dockerfile:1
#
# One image for every Kyoyo process (infra/deploy.md). Pick the process by command:
#   node dist/server/gateway.mjs                       the national gateway (default)
#   node dist/server/equipment.mjs                     one institution's equipment service
#   node dist/server/migrate.mjs --target equipment    migrations of an institution's database (one-shot)
#   node dist/server/migrate.mjs --target gateway      migrations of the gateway's database (one-shot)
#   node dist/server/keys.mjs generate --out FILE      a gateway signing key; `public --in FILE` its public half
#   node dist/server/registry.mjs list|add|remove …    the gateway's institution registry (DATABASE_URL)
# Configuration comes from the environment (gateway/src/config.ts, services/equipment/src/config.ts).
# Every process listens on PORT (8080 here) and answers /healthz, /readyz and /metrics.

ARG NODE_IMAGE=node:20-bookworm-slim

# Dependencies, from the lockfile only (cached until a package.json or the lockfile changes). Install scripts
# are skipped: the root `prepare` script needs the sources (the console is built below) and the embedded
# PostgreSQL binaries are for development.
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
COPY gateway/package.json gateway/
COPY infra/package.json infra/
COPY services/equipment/package.json services/equipment/
COPY packages/auth/package.json packages/auth/
COPY packages/console/package.json packages/console/
COPY packages/db/package.json packages/db/
COPY packages/domain/package.json packages/domain/
COPY packages/listings/package.json packages/listings/
COPY packages/server-kit/package.json packages/server-kit/
COPY packages/test-kit/package.json packages/test-kit/
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

# The web console and the server bundles (infra/src/cli/build-dist.ts): plain ES modules that need neither
# tsx nor node_modules, with the SQL migrations, the GraphQL SDL and the console beside them.
FROM deps AS build
COPY . .
RUN npm run build:console && npx tsx infra/src/cli/build-dist.ts --out dist/server

# Runtime: Node and the bundles only. Files are root-owned and read-only to the process (a non-root user).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    NODE_OPTIONS=--enable-source-maps
WORKDIR /app
COPY --from=build /src/dist/server ./dist/server
# The `node` user of the base image, by number so Kubernetes can check runAsNonRoot.
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz',{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/server/gateway.mjs"]
