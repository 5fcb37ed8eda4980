// A fresh database per test file: a temporary SQLite file, or a new database on the PostgreSQL
// named by DATABASE_URL (CI runs the suite once per backend). Nothing is shared between files.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DatabaseKind } from '../../src/config';

export interface TestDatabase {
  kind: DatabaseKind;
  url: string;
  dataDir: string;
  drop(): Promise<void>;
}

export function testBackend(): DatabaseKind {
  const url = process.env.DATABASE_URL ?? '';
  return /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'phantom-test-'));
  const removeDir = (): void => rmSync(dataDir, { recursive: true, force: true });
  if (testBackend() === 'sqlite') {
    return { kind: 'sqlite', url: `file:${join(dataDir, 'phantom.db')}`, dataDir, drop: async () => removeDir() };
  }
  const base = new URL(process.env.DATABASE_URL!);
  const name = `${base.pathname.slice(1) || 'phantom'}_t${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    url: url.toString(),
    dataDir,
    drop: async () => {
      const c = new Client({ connectionString: base.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
      removeDir();
    },
  };
}
