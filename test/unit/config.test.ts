import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('defaults to SQLite in ./data on port 8080', () => {
    const c = loadConfig({}, '/srv/phantom');
    expect(c.port).toBe(8080);
    expect(c.database).toEqual({ kind: 'sqlite', url: 'file:/srv/phantom/data/phantom.db' });
    expect(c.tokenTtlSeconds).toBe(0);
    expect(c.authCacheSeconds).toBe(5);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('turns the authentication cache off with PHANTOM_AUTH_CACHE_SECONDS=0 and refuses a negative TTL', () => {
    expect(loadConfig({ PHANTOM_AUTH_CACHE_SECONDS: '0' }, '/srv').authCacheSeconds).toBe(0);
    expect(() => loadConfig({ PHANTOM_AUTH_CACHE_SECONDS: '-1' }, '/srv')).toThrow(ConfigError);
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/LOG_LEVEL/);
      expect(problems).toMatch(/DATABASE_URL/);
    }
  });

  it('requires PHANTOM_SECRET_KEY with PostgreSQL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgresql://u@h/db' })).toThrow(/PHANTOM_SECRET_KEY/);
    const c = loadConfig({ DATABASE_URL: 'postgresql://u@h/db', PHANTOM_SECRET_KEY: 'ab'.repeat(32) });
    expect(c.database.kind).toBe('postgres');
    expect(c.secretKey?.length).toBe(32);
  });

  it('rejects a secret key that is not 32 bytes', () => {
    expect(() => loadConfig({ PHANTOM_SECRET_KEY: 'abcd' })).toThrow(/PHANTOM_SECRET_KEY/);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['loopback, 10.0.0.0/8', 'loopback, 10.0.0.0/8'],
  ])('understands TRUST_PROXY=%s', (v, expected) => {
    expect(loadConfig({ TRUST_PROXY: v }).trustProxy).toEqual(expected);
  });
});
