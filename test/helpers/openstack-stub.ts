// A local OpenStack for driver tests: Keystone v3, Nova v2.1 and Glance v2 JSON on one loopback
// port, with the real wire shapes (X-Subject-Token, servers_links, Glance `next`, Nova's error
// envelopes) and the failures the driver must classify, injected on demand.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubServer {
  id: string;
  name: string;
  status: string;
  metadata: Record<string, string>;
  imageRef: string;
  flavorRef: string;
  keyName?: string;
  userData?: string;
  created: string;
  fault?: { code: number; message: string; created: string };
  /** Epoch ms at which BUILD turns ACTIVE on its own; Infinity waits for advanceBoot(). */
  activeAt: number;
}

export interface StubImage {
  id: string;
  name: string;
  visibility: 'public' | 'private' | 'shared' | 'community';
  owner: string;
  status: string;
}

export type CreateFault = 'quota' | 'noValidHost' | 'rateLimit';

export interface StubOptions {
  /** How long a new server stays BUILD; omitted, servers wait for advanceBoot(). */
  bootMs?: number;
  /** Nova's osapi_max_limit: pages never hold more, whatever `limit` asks. */
  maxPageSize?: number;
  tokenTtlSeconds?: number;
}

export interface OpenStackStub {
  /** Keystone v3, as a site's options.auth_url. */
  authUrl: string;
  projectId: string;
  projectName: string;
  user: { name: string; password: string };
  appCredential: { id: string; secret: string };
  flavors: { id: string; name: string }[];
  images: StubImage[];
  keyPairs: string[];
  /** Calls per route, keyed like "POST /v3/auth/tokens" or "GET /compute/servers/detail". */
  calls(route: string): number;
  resetCalls(): void;
  /** The truth: every server the cloud holds. */
  servers(): StubServer[];
  /** Adds a server directly, as if someone else (or an earlier run) had made it. */
  seedServer(metadata: Record<string, string>, status?: string): StubServer;
  /** Revokes every token issued so far: the next Nova or Glance call answers 401. */
  revokeTokens(): void;
  failNextCreate(fault: CreateFault, retryAfterSeconds?: number): void;
  /** Delays the next request to `route` by `ms` (for timeouts). */
  delayNext(route: string, ms: number): void;
  /** Every BUILD server becomes ACTIVE now. */
  advanceBoot(): void;
  close(): Promise<void>;
}

interface TokenRecord {
  expiresAt: number;
  revoked: boolean;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

const REGION = 'RegionOne';

export async function startOpenStackStub(opts: StubOptions = {}): Promise<OpenStackStub> {
  const projectId = randomBytes(16).toString('hex');
  const tokens = new Map<string, TokenRecord>();
  const servers = new Map<string, StubServer>();
  const counts = new Map<string, number>();
  const delays = new Map<string, number>();
  let nextFault: { fault: CreateFault; retryAfter: number } | null = null;
  const maxPage = opts.maxPageSize ?? 1000;
  const ttl = opts.tokenTtlSeconds ?? 3600;

  const stub = {
    authUrl: '',
    projectId,
    projectName: 'phantom-project',
    user: { name: 'alice', password: `pw-${randomBytes(6).toString('hex')}` },
    appCredential: { id: randomBytes(16).toString('hex'), secret: `ac-${randomBytes(6).toString('hex')}` },
    flavors: [
      { id: '1', name: 'm1.small' },
      { id: '2', name: 'm1.large' },
      { id: '3', name: 'm1.xlarge' },
    ],
    images: [
      { id: randomUUID(), name: 'ubuntu-24.04', visibility: 'public', owner: 'admin-project', status: 'active' },
      { id: randomUUID(), name: 'centos-9', visibility: 'public', owner: 'admin-project', status: 'active' },
      { id: randomUUID(), name: 'my-golden', visibility: 'private', owner: projectId, status: 'active' },
      { id: randomUUID(), name: 'their-private', visibility: 'shared', owner: 'other-project', status: 'active' },
      { id: randomUUID(), name: 'half-uploaded', visibility: 'private', owner: projectId, status: 'queued' },
    ] as StubImage[],
    keyPairs: ['default', 'phantom_ssh_key'],
  };

  const bumpBoot = (s: StubServer): StubServer => {
    if (s.status === 'BUILD' && Date.now() >= s.activeAt) s.status = 'ACTIVE';
    return s;
  };

  function addServer(fields: Partial<StubServer> & { name: string; metadata: Record<string, string> }): StubServer {
    const s: StubServer = {
      id: randomUUID(),
      status: 'BUILD',
      imageRef: stub.images[0].id,
      flavorRef: '1',
      created: new Date().toISOString(),
      activeAt: opts.bootMs === undefined ? Infinity : Date.now() + opts.bootMs,
      ...fields,
    };
    servers.set(s.id, s);
    return s;
  }

  function serverView(s: StubServer, base: string): unknown {
    bumpBoot(s);
    const octet = (parseInt(s.id.slice(0, 2), 16) % 250) + 2;
    return {
      id: s.id,
      name: s.name,
      status: s.status,
      metadata: s.metadata,
      key_name: s.keyName ?? null,
      created: s.created,
      image: { id: s.imageRef, links: [] },
      flavor: { id: s.flavorRef, links: [] },
      addresses: s.status === 'ACTIVE'
        ? {
            private: [{ addr: `10.0.0.${octet}`, version: 4, 'OS-EXT-IPS:type': 'fixed' }],
            public: [{ addr: `203.0.113.${octet}`, version: 4, 'OS-EXT-IPS:type': 'floating' }],
          }
        : {},
      'OS-EXT-STS:task_state': s.status === 'BUILD' ? 'spawning' : null,
      ...(s.fault ? { fault: s.fault } : {}),
      links: [{ rel: 'self', href: `${base}/compute/v2.1/servers/${s.id}` }],
    };
  }

  function authenticate(body: unknown, base: string): Reply {
    const auth = (body as { auth?: { identity?: Record<string, unknown>; scope?: unknown } } | null)?.auth;
    const identity = auth?.identity as
      | { methods?: string[]; password?: { user?: { name?: string; password?: string; domain?: { name?: string } } }; application_credential?: { id?: string; secret?: string } }
      | undefined;
    const unauthorized: Reply = { status: 401, body: { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } } };
    if (identity?.methods?.[0] === 'password') {
      const u = identity.password?.user;
      const scope = auth?.scope as { project?: { name?: string; domain?: { name?: string } } } | undefined;
      if (u?.name !== stub.user.name || u.password !== stub.user.password || u.domain?.name !== 'Default') return unauthorized;
      if (scope?.project?.name !== stub.projectName) return unauthorized;
    } else if (identity?.methods?.[0] === 'application_credential') {
      const ac = identity.application_credential;
      if (auth?.scope) return { status: 401, body: { error: { code: 401, title: 'Unauthorized', message: 'Application credentials cannot request a scope.' } } };
      if (ac?.id !== stub.appCredential.id || ac.secret !== stub.appCredential.secret) return unauthorized;
    } else {
      return { status: 400, body: { error: { code: 400, title: 'Bad Request', message: 'Invalid identity method' } } };
    }
    const token = `gAAAA${randomBytes(24).toString('hex')}`;
    const expiresAt = Date.now() + ttl * 1000;
    tokens.set(token, { expiresAt, revoked: false });
    const endpoint = (path: string, region = REGION, iface = 'public'): unknown => ({ id: randomUUID(), interface: iface, region, region_id: region, url: `${base}${path}` });
    return {
      status: 201,
      headers: { 'X-Subject-Token': token },
      body: {
        token: {
          methods: identity.methods,
          expires_at: new Date(expiresAt).toISOString(),
          project: { id: projectId, name: stub.projectName, domain: { id: 'default', name: 'Default' } },
          catalog: [
            // Other interfaces and regions point nowhere: the driver must pick public in RegionOne.
            { type: 'compute', name: 'nova', endpoints: [endpoint('/compute/v2.1'), endpoint('/nowhere', REGION, 'internal'), endpoint('/nowhere', 'RegionTwo')] },
            { type: 'image', name: 'glance', endpoints: [endpoint('/image'), endpoint('/nowhere', REGION, 'internal')] },
            { type: 'identity', name: 'keystone', endpoints: [endpoint('/v3')] },
          ],
        },
      },
    };
  }

  function page<T extends { id: string }>(items: T[], url: URL): { items: T[]; nextMarker?: string } {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? maxPage), maxPage);
    const marker = url.searchParams.get('marker');
    const start = marker ? items.findIndex((i) => i.id === marker) + 1 : 0;
    const slice = items.slice(start, start + limit);
    const more = start + limit < items.length;
    return { items: slice, nextMarker: more && slice.length > 0 ? slice[slice.length - 1].id : undefined };
  }

  function createServerReply(body: unknown): Reply {
    const s = (body as { server?: Record<string, unknown> } | null)?.server;
    const bad = (message: string): Reply => ({ status: 400, body: { badRequest: { code: 400, message } } });
    if (!s || typeof s.name !== 'string') return bad("Invalid input for field/attribute server. Value: None. 'name' is a required property");
    if (nextFault && nextFault.fault !== 'noValidHost') {
      const f = nextFault;
      nextFault = null;
      if (f.fault === 'quota') return { status: 403, body: { forbidden: { code: 403, message: 'Quota exceeded for instances: Requested 1, but already used 10 of 10 instances' } } };
      if (f.fault === 'rateLimit') return { status: 429, headers: { 'Retry-After': String(f.retryAfter) }, body: 'Too Many Requests' };
    }
    const flavor = stub.flavors.find((f) => f.id === s.flavorRef);
    if (!flavor) return bad(`Flavor ${String(s.flavorRef)} could not be found.`);
    if (!stub.images.some((i) => i.id === s.imageRef && i.status === 'active')) return bad('Invalid image identifier or image not accessible.');
    if (s.key_name !== undefined && !stub.keyPairs.includes(String(s.key_name))) return bad('Invalid key_name provided.');
    if (s.user_data !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(String(s.user_data))) return bad('User data needs to be valid base 64.');
    const created = addServer({
      name: s.name,
      metadata: (s.metadata as Record<string, string> | undefined) ?? {},
      imageRef: String(s.imageRef),
      flavorRef: flavor.id,
      keyName: s.key_name === undefined ? undefined : String(s.key_name),
      userData: s.user_data === undefined ? undefined : String(s.user_data),
    });
    // Nova accepts the request and the scheduler fails it afterwards; here, before the first GET.
    if (nextFault?.fault === 'noValidHost') {
      nextFault = null;
      created.status = 'ERROR';
      created.fault = { code: 500, message: 'No valid host was found. There are not enough hosts available.', created: created.created };
    }
    return { status: 202, body: { server: { id: created.id, links: [], adminPass: randomBytes(6).toString('hex'), 'OS-DCF:diskConfig': 'MANUAL', security_groups: [{ name: 'default' }] } } };
  }

  function compute(method: string, path: string, url: URL, body: unknown, base: string): Reply {
    const notFound = (what: string): Reply => ({ status: 404, body: { itemNotFound: { code: 404, message: `${what} could not be found.` } } });
    if (method === 'GET' && path === '/servers/detail') {
      const name = url.searchParams.get('name');
      const all = [...servers.values()]
        .filter((s) => !name || new RegExp(name).test(s.name))
        .sort((a, b) => b.created.localeCompare(a.created) || a.id.localeCompare(b.id));
      const p = page(all, url);
      const links = p.nextMarker ? [{ rel: 'next', href: `http://internal.example:8774/v2.1/servers/detail?limit=${url.searchParams.get('limit') ?? ''}&marker=${p.nextMarker}` }] : [];
      return { status: 200, body: { servers: p.items.map((s) => serverView(s, base)), ...(links.length ? { servers_links: links } : {}) } };
    }
    if (method === 'POST' && path === '/servers') return createServerReply(body);
    const one = /^\/servers\/([^/]+)$/.exec(path);
    if (one) {
      const s = servers.get(decodeURIComponent(one[1]));
      if (!s) return notFound(`Instance ${one[1]}`);
      if (method === 'GET') return { status: 200, body: { server: serverView(s, base) } };
      if (method === 'DELETE') {
        servers.delete(s.id);
        return { status: 204 };
      }
    }
    if (method === 'GET' && path === '/flavors') {
      const p = page(stub.flavors, url);
      const links = p.nextMarker ? [{ rel: 'next', href: `${base}/compute/v2.1/flavors?marker=${p.nextMarker}` }] : [];
      return { status: 200, body: { flavors: p.items.map((f) => ({ ...f, links: [] })), ...(links.length ? { flavors_links: links } : {}) } };
    }
    if (method === 'GET' && path === '/os-keypairs') {
      return { status: 200, body: { keypairs: stub.keyPairs.map((name) => ({ keypair: { name, fingerprint: 'aa:bb', public_key: 'ssh-ed25519 AAAA' } })) } };
    }
    return notFound(`Resource ${path}`);
  }

  function image(method: string, path: string, url: URL): Reply {
    if (method === 'GET' && path === '/v2/images') {
      const name = url.searchParams.get('name');
      const visible = stub.images.filter((i) => i.visibility === 'public' || i.owner === projectId || i.visibility === 'shared');
      const p = page(name ? visible.filter((i) => i.name === name) : visible, url);
      const next = p.nextMarker ? `/v2/images?limit=${url.searchParams.get('limit') ?? ''}&marker=${p.nextMarker}` : undefined;
      return { status: 200, body: { images: p.items, first: '/v2/images', schema: '/v2/schemas/images', ...(next ? { next } : {}) } };
    }
    const one = /^\/v2\/images\/([^/]+)$/.exec(path);
    const found = one && stub.images.find((i) => i.id === decodeURIComponent(one[1]));
    if (method === 'GET' && found) return { status: 200, body: found };
    return { status: 404, body: `404 Not Found\n\nNo image found with ID ${one?.[1] ?? path}`, headers: { 'Content-Type': 'text/plain' } };
  }

  function route(method: string, url: URL, body: unknown, token: string | undefined, base: string): Reply {
    const path = url.pathname;
    if (path === '/v3/auth/tokens' && method === 'POST') return authenticate(body, base);
    const t = token ? tokens.get(token) : undefined;
    if (!t || t.revoked || t.expiresAt <= Date.now()) {
      return { status: 401, body: { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } } };
    }
    if (path.startsWith('/compute/v2.1/')) return compute(method, path.slice('/compute/v2.1'.length), url, body, base);
    if (path.startsWith('/image/')) return image(method, path.slice('/image'.length), url);
    return { status: 404, body: { error: { code: 404, message: 'no such service' } } };
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const base = `http://${req.headers.host ?? '127.0.0.1'}`;
      const url = new URL(req.url ?? '/', base);
      const method = req.method ?? 'GET';
      const key = `${method} ${routeKey(url.pathname)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      let body: unknown = null;
      if (chunks.length) {
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = null;
        }
      }
      const token = req.headers['x-auth-token'];
      const reply = route(method, url, body, typeof token === 'string' ? token : undefined, base);
      const send = (): void => {
        const isText = typeof reply.body === 'string';
        res.writeHead(reply.status, { 'Content-Type': isText ? 'text/plain' : 'application/json', ...reply.headers });
        res.end(reply.body === undefined ? undefined : isText ? (reply.body as string) : JSON.stringify(reply.body));
      };
      const delay = delays.get(key);
      delays.delete(key);
      if (delay) setTimeout(send, delay);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  stub.authUrl = `http://127.0.0.1:${port}/v3`;

  return {
    ...stub,
    calls: (r) => counts.get(r) ?? 0,
    resetCalls: () => counts.clear(),
    servers: () => [...servers.values()].map(bumpBoot),
    seedServer: (metadata, status = 'ACTIVE') => addServer({ name: `seeded-${randomBytes(3).toString('hex')}`, metadata, status }),
    revokeTokens: () => tokens.forEach((t) => (t.revoked = true)),
    failNextCreate: (fault, retryAfterSeconds = 5) => {
      nextFault = { fault, retryAfter: retryAfterSeconds };
    },
    delayNext: (r, ms) => delays.set(r, ms),
    advanceBoot: () => servers.forEach((s) => {
      if (s.status === 'BUILD') s.status = 'ACTIVE';
    }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** "/compute/v2.1/servers/<uuid>" → "/compute/servers/{id}", so counters name routes, not ids. */
function routeKey(path: string): string {
  return path
    .replace('/compute/v2.1', '/compute')
    .replace(/\/servers\/(?!detail$)[^/]+$/, '/servers/{id}')
    .replace(/\/v2\/images\/[^/]+$/, '/v2/images/{id}');
}
