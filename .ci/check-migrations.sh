#!/usr/bin/env bash
# Fails when the Drizzle schemas and the committed migrations disagree (someone changed a schema without
# running `npm run db:generate`). Generation writes nothing when they agree.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run db:generate >/dev/null
changes=$(git status --porcelain -- packages/db/migrations gateway/migrations)
if [ -n "$changes" ]; then
  echo "db:check: the schema has changes without a committed migration:" >&2
  echo "$changes" >&2
  exit 1
fi
echo "db:check: migrations match the schema"
