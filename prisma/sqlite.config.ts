// Prisma CLI configuration for the sqlite variant. The JS engine keeps the CLI offline (the classic
// engine downloads a binary). Phantom applies migrations with its own runner (src/db/migrator.ts), so
// this adapter only serves `prisma generate` and `prisma migrate diff` during development.
import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'sqlite.prisma',
  adapter: async () => new PrismaBetterSQLite3({ url: 'file::memory:' }),
});
