#!/usr/bin/env bash
# Development only, before the first release: rewrites prisma/migrations/*/0001_init from
# prisma/models.prisma (and regenerates the provider schemas and clients). After a release, add a
# new migration directory instead of rewriting this one.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/prisma-schemas.mjs
npm run --silent db:generate >/dev/null
for v in sqlite postgres; do
  mkdir -p "prisma/migrations/$v/0001_init"
  npx prisma migrate diff --config "prisma/$v.config.ts" --from-empty --to-schema-datamodel "prisma/$v.prisma" --script \
    > "prisma/migrations/$v/0001_init/migration.sql"
done
echo "schemas, clients and 0001_init migrations regenerated"
