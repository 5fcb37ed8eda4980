// Applies the checked-in migrations (prisma/migrations/<backend>/<name>/migration.sql) in order.
// Prisma's own `migrate deploy` fails on PostgreSQL through the offline JS engine (prisma/orm#27403),
// so Phantom runs them itself: in one transaction, under a lock (an advisory lock on PostgreSQL,
// BEGIN IMMEDIATE on SQLite), recording each in _phantom_migrations with a checksum. Two processes
// starting at once serialise on the lock and the second finds nothing to do.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import type { DatabaseKind } from '../config';
import { sqlitePath } from './client';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

const MIGRATIONS_ROOT = join(__dirname, '..', '..', 'prisma', 'migrations');
const LOCK_ID = 724_501_337; // arbitrary, constant: Phantom's migration advisory lock

export function loadMigrations(kind: DatabaseKind, root = MIGRATIONS_ROOT): Migration[] {
  const dir = join(root, kind);
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'migration.sql')))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

function checkApplied(applied: Map<string, string>, migrations: Migration[]): Migration[] {
  for (const [name, checksum] of applied) {
    const m = migrations.find((x) => x.name === name);
    if (!m) throw new Error(`database has migration ${name}, which this version of Phantom does not know`);
    if (m.checksum !== checksum) throw new Error(`migration ${name} was changed after it was applied`);
  }
  return migrations.filter((m) => !applied.has(m.name));
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_phantom_migrations" (
  "name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TEXT NOT NULL)`;

/** Applies pending migrations; returns the names applied (empty when the schema is current). */
export async function migrate(kind: DatabaseKind, url: string, migrations = loadMigrations(kind)): Promise<string[]> {
  return kind === 'sqlite' ? migrateSqlite(sqlitePath(url), migrations) : migratePostgres(url, migrations);
}

function migrateSqlite(file: string, migrations: Migration[]): string[] {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 30_000 });
  try {
    db.pragma('journal_mode = WAL');
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(CREATE_TABLE);
      const rows = db.prepare('SELECT name, checksum FROM _phantom_migrations').all() as { name: string; checksum: string }[];
      const pending = checkApplied(new Map(rows.map((r) => [r.name, r.checksum])), migrations);
      const record = db.prepare('INSERT INTO _phantom_migrations (name, checksum, applied_at) VALUES (?, ?, ?)');
      for (const m of pending) {
        db.exec(m.sql);
        record.run(m.name, m.checksum, new Date().toISOString());
      }
      db.exec('COMMIT');
      return pending.map((m) => m.name);
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_ID]);
      await client.query(CREATE_TABLE);
      const { rows } = await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM _phantom_migrations');
      const pending = checkApplied(new Map(rows.map((r) => [r.name, r.checksum])), migrations);
      for (const m of pending) {
        await client.query(m.sql);
        await client.query('INSERT INTO _phantom_migrations (name, checksum, applied_at) VALUES ($1, $2, $3)', [
          m.name, m.checksum, new Date().toISOString(),
        ]);
      }
      await client.query('COMMIT');
      return pending.map((m) => m.name);
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
  } finally {
    await client.end();
  }
}
