// Builds the Prisma client for the configured backend. Both generated clients come from one model
// file (prisma/models.prisma), so they expose the same API; the SQLite client's type stands for both.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from '../../generated/sqlite';
import { PrismaClient as PostgresClient } from '../../generated/postgres';
import type { DatabaseKind } from '../config';

export type Db = SqliteClient;
export type { Prisma } from '../../generated/sqlite';

export function sqlitePath(url: string): string {
  return url.replace(/^file:/, '').replace(/\?.*$/, '');
}

/** `onQuery` sees every SQL statement (tests count round trips with it). */
export async function createDb(kind: DatabaseKind, url: string, onQuery?: (sql: string) => void): Promise<Db> {
  const log = onQuery ? [{ emit: 'event' as const, level: 'query' as const }] : [];
  if (kind === 'sqlite') {
    const file = sqlitePath(url);
    mkdirSync(dirname(file), { recursive: true });
    const db = new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: file, timeout: 10_000 }), log });
    if (onQuery) db.$on('query', (e) => onQuery(e.query));
    // One connection serves the process: WAL lets readers (the CLI, a second process) run alongside
    // the writer; foreign keys are off by default in SQLite and our cascades depend on them.
    await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    await db.$executeRawUnsafe('PRAGMA foreign_keys = ON');
    await db.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
    return db;
  }
  const pg = new PostgresClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }), log });
  if (onQuery) pg.$on('query', (e) => onQuery(e.query));
  // Same models, same generated API: the generated types differ only in provider-specific extras.
  return pg as unknown as Db;
}
