import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { Prisma } from '../../generated/sqlite';
import { loadMigrations, migrate } from '../../src/db/migrator';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(() => db.drop());

async function columnsByTable(): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const add = (t: string, c: string): void => {
    if (!out.has(t)) out.set(t, new Set());
    out.get(t)!.add(c);
  };
  if (db.kind === 'sqlite') {
    const s = new Database(db.url.replace(/^file:/, ''));
    const tables = s.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[];
    for (const { name } of tables) {
      for (const col of s.prepare(`PRAGMA table_info("${name}")`).all() as { name: string }[]) add(name, col.name);
    }
    s.close();
  } else {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query<{ table_name: string; column_name: string }>(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'",
    );
    rows.forEach((r) => add(r.table_name, r.column_name));
    await c.end();
  }
  return out;
}

describe('migrations', () => {
  it('apply once, then find nothing to do', async () => {
    const first = await migrate(db.kind, db.url);
    expect(first).toEqual(loadMigrations(db.kind).map((m) => m.name));
    expect(await migrate(db.kind, db.url)).toEqual([]);
  });

  it('are applied exactly once when several processes start at once', async () => {
    const results = await Promise.all([1, 2, 3].map(() => migrate(db.kind, db.url)));
    const applied = results.flat();
    expect(applied).toEqual(loadMigrations(db.kind).map((m) => m.name));
  });

  it('refuse a database whose applied migration was edited afterwards', async () => {
    await migrate(db.kind, db.url);
    const edited = loadMigrations(db.kind).map((m, i) => (i === 0 ? { ...m, checksum: 'changed' } : m));
    await expect(migrate(db.kind, db.url, edited)).rejects.toThrow(/changed after it was applied/);
  });

  it('create exactly the tables and columns of the Prisma models (no drift)', async () => {
    await migrate(db.kind, db.url);
    const actual = await columnsByTable();
    for (const model of Prisma.dmmf.datamodel.models) {
      const expected = model.fields.filter((f) => f.kind !== 'object').map((f) => f.dbName ?? f.name);
      const table = model.dbName ?? model.name;
      expect({ table, columns: [...(actual.get(table) ?? [])].sort() }).toEqual({ table, columns: [...expected].sort() });
    }
  });
});

describe('provider schemas', () => {
  it('are both generated from prisma/models.prisma and up to date', () => {
    const script = join(__dirname, '..', '..', 'scripts', 'prisma-schemas.mjs');
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
