// Regressions the fuzzer found: bodies that once made the server answer 500.
import { createHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let u: TestUser;

beforeAll(async () => {
  h = await createHarness({ PHANTOM_ENGINE: 'false' });
  u = await h.createUser();
});

afterAll(() => h.close());

const deepArrays = (n: number): string => '['.repeat(n) + ']'.repeat(n);

describe('hostile request bodies', () => {
  it('rejects JSON nested 100,000 levels deep on /api/put with a 400 instead of overflowing the stack', async () => {
    const res = await h.http().post('/api/put').auth(...u.basic).type('json').send(`[${deepArrays(100_000)}]`);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/nested deeper than 32 levels/);
  });

  it('rejects deeply nested JSON on the API with a 400', async () => {
    const res = await h.http().post('/api/dev/domains').auth(...u.basic).type('json').send(`{"name":${deepArrays(40)}}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_request');
  });

  it('still accepts JSON nested as deep as a real body', async () => {
    const res = await h.http().post('/api/dev/domains').auth(...u.basic).type('json').send({ name: 'x', de_name: 'multicloud', lc_name: 'missing', vm_count: 1, extra: { a: { b: { c: [1] } } } });
    expect(res.body.message).not.toMatch(/nested deeper/);
  });

  it('checks a flat array of 200,000 items for NUL characters without a 500', async () => {
    const res = await h.http().post('/api/dev/domains').auth(...u.basic).type('json').send(JSON.stringify(Array.from({ length: 200_000 }, () => 'x')));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_request');
  });
});
