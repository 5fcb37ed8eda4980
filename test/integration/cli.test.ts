import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { runCli, startServerProcess } from '../helpers/process';

let db: TestDatabase;
let env: Record<string, string>;
beforeAll(async () => {
  db = await createTestDatabase();
  env = { DATABASE_URL: db.url, PHANTOM_DATA_DIR: db.dataDir };
  if (db.kind === 'postgres') env.PHANTOM_SECRET_KEY = 'cd'.repeat(32);
});
afterAll(() => db.drop());

describe('npm run phantom -- user …', () => {
  it('creates a user with a given password and prints its numeric id', () => {
    const r = runCli(['user', 'create', 'alice', '--password', 'restaurant'], env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ id: expect.any(Number), username: 'alice' });
  });

  it('generates and prints a password when none is given', () => {
    const r = runCli(['user', 'create', 'bob'], env);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ id: expect.any(Number), username: 'bob', password: expect.stringMatching(/.{16,}/) });
  });

  it('lists users', () => {
    const r = runCli(['user', 'list'], env);
    expect(r.status).toBe(0);
    const names = (JSON.parse(r.stdout) as { username: string }[]).map((u) => u.username);
    expect(names).toEqual(expect.arrayContaining(['alice', 'bob']));
  });

  it.each([
    [['user', 'create', 'alice'], /already exists/],
    [['user', 'delete', 'nobody'], /no user named nobody/],
    [['user', 'create'], /needs a NAME/],
    [['user', 'password', 'nobody'], /no user named nobody/],
    [['user', 'frobnicate'], /unknown user command/],
    [['launch-rockets'], /unknown command/],
    [['user', 'create', 'x', '--bogus'], /Unknown option/],
  ])('fails %p with a message on stderr and a non-zero exit', (args, message) => {
    const r = runCli(args, env);
    expect(r.status).not.toBe(0);
    expect(r.stderr.split('\n')[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('changes a password', () => {
    const r = runCli(['user', 'password', 'bob', '--password', 'new-one'], env);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ username: 'bob', tokens_revoked: true });
  });

  it('deletes a user', () => {
    expect(runCli(['user', 'delete', 'bob'], env).status).toBe(0);
    const names = (JSON.parse(runCli(['user', 'list'], env).stdout) as { username: string }[]).map((u) => u.username);
    expect(names).not.toContain('bob');
  });

  it('migrate is idempotent', () => {
    const r = runCli(['migrate'], env);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ applied: [] });
  });

  it('reports every configuration problem at once and exits non-zero', () => {
    const r = runCli(['migrate'], { ...env, PORT: 'x', LOG_LEVEL: 'loud' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/PORT/);
    expect(r.stderr).toMatch(/LOG_LEVEL/);
  });
});

describe('serve', () => {
  it('serves the API, generates a 0600 secret key on SQLite, and drains on SIGTERM', async () => {
    const server = await startServerProcess(env);
    try {
      const login = fetch(`${server.url}/api/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'username=alice&password=restaurant',
      });
      // SIGTERM while the login (a deliberate scrypt hash) is in flight: it must still be answered.
      await new Promise((r) => setTimeout(r, 5));
      server.child.kill('SIGTERM');
      const res = await login;
      expect(res.status).toBe(200);
      const body = (await res.json()) as { token: string; success: boolean };
      expect(body.success).toBe(true);
      expect(await server.exited).toBe(0);
      expect(server.output()).toMatch(/shutdown complete/);
      expect(server.output()).not.toContain(body.token);
      if (db.kind === 'sqlite') {
        expect(statSync(join(db.dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
      }
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  });
});
