import { randomUUID } from 'node:crypto';
import { createHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const CLIENT_KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAclient\n-----END RSA PRIVATE KEY-----\n';
const VALIDATOR_KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAvalidator\n-----END RSA PRIVATE KEY-----\n';

function hostedChef(extra: Record<string, unknown> = {}) {
  return {
    id: 'hostedchef',
    server_url: 'https://api.opscode.com/organizations/chefuser',
    client_name: 'chefuser',
    validation_client_name: 'chefuser-validator',
    client_key: CLIENT_KEY,
    validator_key: VALIDATOR_KEY,
    ...extra,
  };
}

const URI = '/api/dev/credentials/chef/hostedchef';

function create(u: TestUser, fields: Record<string, unknown>) {
  return h.http().post('/api/dev/credentials/chef').auth(...u.basic).send(fields);
}

function storedRow(userId: number, name: string) {
  return h.container.db.chefCredential.findUnique({ where: { userId_name: { userId, name } } });
}

describe('creating chef credentials', () => {
  it('saves them as the spec shows: 201, Location and the body', async () => {
    const u = await h.createUser();
    const res = await create(u, hostedChef());
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(URI);
    expect(res.body).toEqual({ ...hostedChef(), uri: URI });
    expect(await storedRow(u.id, 'hostedchef')).toMatchObject({
      serverUrl: 'https://api.opscode.com/organizations/chefuser',
      clientName: 'chefuser',
      validationClientName: 'chefuser-validator',
    });
  });

  it('stores the client and validator keys encrypted, never in clear', async () => {
    const u = await h.createUser();
    await create(u, hostedChef()).expect(201);
    const row = await storedRow(u.id, 'hostedchef');
    if (!row) throw new Error('row missing');
    expect(JSON.stringify(row)).not.toContain('BEGIN RSA');
    expect(h.container.secretBox.open(row.clientKey)).toBe(CLIENT_KEY);
    expect(h.container.secretBox.open(row.validatorKey)).toBe(VALIDATOR_KEY);
  });

  it('defaults validation_client_name to chef-validator when it is absent or empty', async () => {
    const u = await h.createUser();
    const { validation_client_name: _omitted, ...withoutIt } = hostedChef({ id: 'absent' });
    const absent = await create(u, withoutIt);
    expect(absent.status).toBe(201);
    expect(absent.body.validation_client_name).toBe('chef-validator');
    const empty = await h.http().post('/api/dev/credentials/chef').auth(...u.basic).type('form').send(hostedChef({ id: 'empty', validation_client_name: '' }));
    expect(empty.status).toBe(201);
    expect((await storedRow(u.id, 'empty'))?.validationClientName).toBe('chef-validator');
  });

  it('accepts form-encoded fields', async () => {
    const u = await h.createUser();
    const res = await h.http().post('/api/dev/credentials/chef').auth(...u.basic).type('form').send(hostedChef({ id: 'open_source_chef' }));
    expect(res.status).toBe(201);
    expect(res.body.client_key).toBe(CLIENT_KEY);
  });

  it('answers a second create with the same id with 409 and keeps the first', async () => {
    const u = await h.createUser();
    await create(u, hostedChef()).expect(201);
    const res = await create(u, hostedChef({ client_name: 'someone-else' }));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('conflict');
    expect((await storedRow(u.id, 'hostedchef'))?.clientName).toBe('chefuser');
  });

  it('names every missing field at once', async () => {
    const u = await h.createUser();
    const res = await create(u, {});
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual(
      ['id', 'server_url', 'client_name', 'client_key', 'validator_key'].map((field) => ({ field, message: 'required' })),
    );
  });

  const notPem = 'must be a PEM private key (starting with -----BEGIN)';
  it.each([
    ['an id with a space', { id: 'my chef' }, 'id', 'may contain only letters, digits, - _ and .'],
    ['an id with a slash', { id: 'a/b' }, 'id', 'may contain only letters, digits, - _ and .'],
    ['an id of 65 characters', { id: 'c'.repeat(65) }, 'id', 'must be at most 64 characters'],
    ['the id ..', { id: '..' }, 'id', 'must not be . or .. (they cannot appear in a URL)'],
    ['an empty id', { id: '' }, 'id', 'must not be empty'],
    ['a server_url that is not a URL', { server_url: 'chef server' }, 'server_url', 'must be an http:// or https:// URL'],
    ['an ftp server_url', { server_url: 'ftp://chef.example.org' }, 'server_url', 'must be an http:// or https:// URL'],
    ['a javascript: server_url', { server_url: 'javascript:alert(1)' }, 'server_url', 'must be an http:// or https:// URL'],
    ['a server_url over 2 KiB', { server_url: `https://x.org/${'p'.repeat(2048)}` }, 'server_url', 'must be at most 2048 characters'],
    ['an empty client_name', { client_name: '' }, 'client_name', 'must not be empty'],
    ['a numeric client_name', { client_name: 3 }, 'client_name', 'must be a string'],
    ['a client_name with a control character', { client_name: 'a\u0001' }, 'client_name', 'must not contain control characters'],
    ['a validation_client_name with a newline', { validation_client_name: 'a\nb' }, 'validation_client_name', 'must not contain control characters'],
    ['a validation_client_name over 255 characters', { validation_client_name: 'v'.repeat(256) }, 'validation_client_name', 'must be at most 255 characters'],
    ['a client_key that is not PEM', { client_key: 'ssh-rsa AAAA' }, 'client_key', notPem],
    ['a validator_key that is not PEM', { validator_key: 'secret' }, 'validator_key', notPem],
    ['a client_key over 16 KiB', { client_key: `-----BEGIN ${'k'.repeat(16 * 1024)}` }, 'client_key', 'must be at most 16384 characters'],
  ])('rejects %s with 400 naming the field', async (_name, override, field, message) => {
    const u = await h.createUser();
    const res = await create(u, hostedChef(override));
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field, message }]);
    expect(await h.container.db.chefCredential.count({ where: { userId: u.id } })).toBe(0);
  });
});

describe('reading chef credentials', () => {
  it('lists [] for a new user', async () => {
    const u = await h.createUser();
    const res = await h.http().get('/api/dev/credentials/chef').auth(...u.basic);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('lists the caller’s credentials with the keys in clear, as the spec shows', async () => {
    const u = await h.createUser();
    await create(u, hostedChef({ id: 'open_source_chef' })).expect(201);
    await create(u, hostedChef()).expect(201);
    const res = await h.http().get('/api/dev/credentials/chef?pretty=true').auth(...u.basic);
    expect(res.body).toEqual([
      { ...hostedChef(), uri: URI },
      { ...hostedChef({ id: 'open_source_chef' }), uri: '/api/dev/credentials/chef/open_source_chef' },
    ]);
    expect(res.text).toBe(JSON.stringify(res.body, null, 4));
  });

  it('returns one by id, and 404 for an unknown one', async () => {
    const u = await h.createUser();
    await create(u, hostedChef()).expect(201);
    const res = await h.http().get(URI).auth(...u.basic);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...hostedChef(), uri: URI });
    const missing = await h.http().get('/api/dev/credentials/chef/nothing').auth(...u.basic);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
  });
});

describe('updating chef credentials', () => {
  it('replaces them with PUT: 200, Location, the new body, keys stored encrypted', async () => {
    const u = await h.createUser();
    await create(u, hostedChef()).expect(201);
    const newKey = '-----BEGIN RSA PRIVATE KEY-----\nnew\n-----END RSA PRIVATE KEY-----\n';
    const update = hostedChef({ server_url: 'http://chef.internal:4000', client_key: newKey });
    const res = await h.http().put(URI).auth(...u.basic).send(update);
    expect(res.status).toBe(200);
    expect(res.headers.location).toBe(URI);
    expect(res.body).toEqual({ ...update, uri: URI });
    const row = await storedRow(u.id, 'hostedchef');
    if (!row) throw new Error('row missing');
    expect(row.serverUrl).toBe('http://chef.internal:4000');
    expect(row.clientKey).not.toContain('BEGIN');
    expect(h.container.secretBox.open(row.clientKey)).toBe(newKey);
  });

  it('accepts a body without id', async () => {
    const u = await h.createUser();
    await create(u, hostedChef()).expect(201);
    const { id: _id, ...withoutId } = hostedChef({ client_name: 'renamed-client' });
    const res = await h.http().put(URI).auth(...u.basic).send(withoutId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'hostedchef', client_name: 'renamed-client' });
  });

  it('rejects a body whose id differs from the URL’s, keeping what was stored', async () => {
    const u = await h.createUser();
    await create(u, hostedChef()).expect(201);
    const res = await h.http().put(URI).auth(...u.basic).send(hostedChef({ id: 'other', client_name: 'changed' }));
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'id', message: 'must match the id in the URL (hostedchef); ids cannot be changed' }]);
    expect((await storedRow(u.id, 'hostedchef'))?.clientName).toBe('chefuser');
  });

  it('validates a PUT body like a new one', async () => {
    const u = await h.createUser();
    await create(u, hostedChef()).expect(201);
    const res = await h.http().put(URI).auth(...u.basic).send(hostedChef({ server_url: 'nope', validator_key: 'nope' }));
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['server_url', 'validator_key']);
  });

  it('answers a PUT for a credential that does not exist with 404', async () => {
    const u = await h.createUser();
    const res = await h.http().put(URI).auth(...u.basic).send(hostedChef());
    expect(res.status).toBe(404);
    expect(await storedRow(u.id, 'hostedchef')).toBeNull();
  });
});

describe('deleting chef credentials', () => {
  it('deletes them with 204 and removes the row', async () => {
    const u = await h.createUser();
    await create(u, hostedChef()).expect(201);
    const res = await h.http().delete(URI).auth(...u.basic);
    expect(res.status).toBe(204);
    expect(await storedRow(u.id, 'hostedchef')).toBeNull();
  });

  it('answers ids no credential can have with 404 for every verb, never 500', async () => {
    const u = await h.createUser();
    for (const id of ['a%01b', 'with%20space', 'x'.repeat(65)]) {
      const path = `/api/dev/credentials/chef/${id}`;
      expect((await h.http().get(path).auth(...u.basic)).status).toBe(404);
      expect((await h.http().put(path).auth(...u.basic).send(hostedChef({ id: undefined }))).status).toBe(404);
      expect((await h.http().delete(path).auth(...u.basic)).status).toBe(404);
    }
  });

  it('answers a DELETE for a credential that does not exist with 404', async () => {
    const u = await h.createUser();
    const res = await h.http().delete(URI).auth(...u.basic);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
  });

  it('refuses with 409 naming the domains while a domain uses the credential', async () => {
    const u = await h.createUser();
    await create(u, hostedChef()).expect(201);
    const row = await storedRow(u.id, 'hostedchef');
    if (!row) throw new Error('row missing');
    const lcId = randomUUID();
    await h.container.db.launchConfiguration.create({ data: { id: lcId, userId: u.id, name: 'lc', contextualizationMethod: 'chef' } });
    await h.container.db.domain.create({
      data: {
        id: randomUUID(),
        userId: u.id,
        name: 'web-tier',
        activeName: 'web-tier',
        state: 'active',
        deName: 'multicloud',
        launchConfigurationId: lcId,
        monitorSensors: '',
        monitorDomainSensors: '',
        vmCount: 1,
        chefCredentialId: row.id,
      },
    });
    const res = await h.http().delete(URI).auth(...u.basic);
    expect(res.status).toBe(409);
    expect(res.body.message).toContain('web-tier');
    expect(await storedRow(u.id, 'hostedchef')).not.toBeNull();
  });

  it('answers an unsupported method with 405', async () => {
    const u = await h.createUser();
    expect((await h.http().patch(URI).auth(...u.basic)).status).toBe(405);
    expect((await h.http().put('/api/dev/credentials/chef').auth(...u.basic)).status).toBe(405);
  });
});

describe('privacy of chef credentials', () => {
  it('hides one user’s credentials from another for every verb', async () => {
    const owner = await h.createUser('owner');
    const other = await h.createUser('other');
    await create(owner, hostedChef()).expect(201);

    expect((await h.http().get('/api/dev/credentials/chef').auth(...other.basic)).body).toEqual([]);
    expect((await h.http().get(URI).auth(...other.basic)).status).toBe(404);
    expect((await h.http().put(URI).auth(...other.basic).send(hostedChef({ client_name: 'stolen' }))).status).toBe(404);
    expect((await h.http().delete(URI).auth(...other.basic)).status).toBe(404);

    expect((await storedRow(owner.id, 'hostedchef'))?.clientName).toBe('chefuser');
    expect(await storedRow(other.id, 'hostedchef')).toBeNull();
  });

  it('lets another user use the same id (no 409 across users)', async () => {
    const a = await h.createUser();
    const b = await h.createUser();
    await create(a, hostedChef()).expect(201);
    expect((await create(b, hostedChef({ client_name: 'b' }))).status).toBe(201);
    expect((await h.http().get(URI).auth(...a.basic)).body.client_name).toBe('chefuser');
  });
});
