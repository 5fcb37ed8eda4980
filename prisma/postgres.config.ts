// Prisma CLI configuration for the postgres variant. The JS engine keeps the CLI offline (the classic
// engine downloads a binary). Phantom applies migrations with its own runner (src/db/migrator.ts), so
// this adapter only serves `prisma generate` and `prisma migrate diff` during development.
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'postgres.prisma',
  adapter: async () => new PrismaPg({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' }),
});
