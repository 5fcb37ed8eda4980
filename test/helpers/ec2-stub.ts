// A local EC2 Query API server for the ec2 driver's tests: POSTed form-encoded `Action=…`, EC2's XML
// replies and error documents, a SigV4 `Authorization` header verified against the account's secret,
// per-Action call counters and injectable faults. Listens on 127.0.0.1, port 0.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAuthorization, verifySignature } from './sigv4-verify';
import { StubCloud, type StubAccount, type StubImage, type StubInstance } from './ec2-stub-cloud';
import { Ec2Fault } from './ec2-stub-params';
import { errorDoc, responseDoc } from './ec2-stub-xml';

export type { StubAccount, StubImage, StubInstance } from './ec2-stub-cloud';

export interface Ec2StubOptions {
  accounts?: StubAccount[];
  /** Results per Describe* page at most (default 1000). */
  pageSize?: number;
  /** PENDING → RUNNING after this many ms; by default only on advanceBoot(). */
  bootDelayMs?: number;
  instanceTypes?: string[];
  images?: StubImage[];
}

export interface FaultOptions {
  status?: number;
  message?: string;
  /** Sent as a Retry-After header (real EC2 never sends one; other EC2-compatible clouds may). */
  retryAfterSeconds?: number;
  /** Carry the request out first, then answer with the error: a response lost on the way back. */
  afterApplying?: boolean;
  /** Hold the answer back this long first: a hung or very slow cloud. */
  delayMs?: number;
}

interface Fault extends FaultOptions {
  code: string;
}

/** HTTP statuses real EC2 uses for server-side and throttling errors; the rest are 400. */
const FAULT_STATUS: Record<string, number> = {
  InsufficientInstanceCapacity: 500,
  InsufficientCapacity: 500,
  InternalError: 500,
  RequestLimitExceeded: 503,
  Unavailable: 503,
};

export const DEFAULT_ACCOUNT: StubAccount = {
  accessKey: 'AKIASTUBDEFAULT00001',
  secretKey: 'stub/secret+Key/0123456789abcdefghijklmn',
  accountId: '111122223333',
  keyPairs: ['phantom-key', 'other-key'],
};

export const PUBLIC_IMAGE = 'ami-0a1b2c3d4e5f60001';
export const PUBLIC_IMAGE_2 = 'ami-0a1b2c3d4e5f60002';
export const OWN_IMAGE = 'ami-0b1b2c3d4e5f60003';

const DEFAULT_IMAGES: StubImage[] = [
  { imageId: PUBLIC_IMAGE, ownerId: '137112412989', isPublic: true, name: 'hello-cloud' },
  { imageId: PUBLIC_IMAGE_2, ownerId: '137112412989', isPublic: true, name: 'centos-5.5-x64-vine' },
  { imageId: OWN_IMAGE, ownerId: DEFAULT_ACCOUNT.accountId, isPublic: false, name: 'my-worker' },
  { imageId: 'ami-0c1b2c3d4e5f60004', ownerId: '999988887777', isPublic: false, name: 'someone-elses' },
];

export interface Ec2Stub {
  /** http://127.0.0.1:<port> — the driver's `endpoint` option. */
  readonly endpoint: string;
  readonly cloud: StubCloud;
  /** Requests per Action that reached the stub, authenticated or not. */
  calls(action: string): number;
  /** The next `action` request fails with EC2 error `code`. Faults queue per action. */
  failNext(action: string, code: string, options?: FaultOptions): void;
  /** Every instance the cloud holds, across accounts and states. */
  instances(): StubInstance[];
  setPageSize(size: number): void;
  advanceBoot(): void;
  close(): Promise<void>;
}

function injected(f: Fault): Ec2Fault {
  const headers: Record<string, string> = f.retryAfterSeconds === undefined ? {} : { 'retry-after': String(f.retryAfterSeconds) };
  return new Ec2Fault(f.code, f.message ?? `Injected ${f.code}`, f.status ?? FAULT_STATUS[f.code] ?? 400, headers);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startEc2Stub(options: Ec2StubOptions = {}): Promise<Ec2Stub> {
  const accounts = options.accounts ?? [DEFAULT_ACCOUNT];
  const cloud = new StubCloud({
    pageSize: options.pageSize ?? 1000,
    bootDelayMs: options.bootDelayMs,
    instanceTypes: options.instanceTypes ?? ['t3.micro', 'm1.small', 'm1.large', 'm1.xlarge'],
  });
  cloud.images.push(...(options.images ?? DEFAULT_IMAGES));
  const counts = new Map<string, number>();
  const faults = new Map<string, Fault[]>();
  // Cleared on close, so a hung answer never keeps the test process alive.
  const delays = new Set<NodeJS.Timeout>();

  const authenticate = (req: IncomingMessage, body: string): StubAccount => {
    const header = req.headers.authorization;
    if (!header) throw new Ec2Fault('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
    const auth = parseAuthorization(header);
    if (!auth || auth.service !== 'ec2') throw new Ec2Fault('IncompleteSignature', 'Authorization header is not a valid AWS4-HMAC-SHA256 signature for ec2', 400);
    const account = accounts.find((a) => a.accessKey === auth.accessKey);
    if (!account) throw new Ec2Fault('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
    const problem = verifySignature({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, auth, account.secretKey);
    if (problem) throw new Ec2Fault('SignatureDoesNotMatch', `The request signature we calculated does not match the signature you provided (${problem})`, 403);
    return account;
  };

  const dispatch = (action: string, account: StubAccount, p: URLSearchParams): string => {
    switch (action) {
      case 'RunInstances':
        return cloud.runInstances(account, p);
      case 'DescribeInstances':
        return cloud.describeInstances(account, p);
      case 'TerminateInstances':
        return cloud.terminateInstances(account, p);
      case 'DescribeImages':
        return cloud.describeImages(account, p);
      case 'DescribeKeyPairs':
        return cloud.describeKeyPairs(account, p);
      default:
        throw new Ec2Fault('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const body = await readBody(req);
    const p = new URLSearchParams(body);
    const action = p.get('Action') ?? '';
    counts.set(action, (counts.get(action) ?? 0) + 1);
    const send = (status: number, xml: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', ...headers });
      res.end(xml);
    };
    try {
      if (req.method !== 'POST') throw new Ec2Fault('InvalidHttpRequest', 'The EC2 Query API stub takes POST only');
      if (!action) throw new Ec2Fault('MissingAction', 'The request must contain the parameter Action');
      const account = authenticate(req, body);
      const fault = faults.get(action)?.shift();
      if (fault?.delayMs) await new Promise<void>((r) => delays.add(setTimeout(r, fault.delayMs)));
      if (fault && !fault.afterApplying) throw injected(fault);
      const children = dispatch(action, account, p);
      if (fault) throw injected(fault);
      send(200, responseDoc(action, requestId, children));
    } catch (err) {
      if (!(err instanceof Ec2Fault)) throw err;
      send(err.status, errorDoc(err.code, err.message, requestId), err.headers);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/xml;charset=UTF-8' });
      res.end(errorDoc('InternalError', `stub failure: ${(err as Error).message}`, randomUUID()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    cloud,
    calls: (action) => counts.get(action) ?? 0,
    failNext: (action, code, o = {}) => {
      const queue = faults.get(action) ?? [];
      queue.push({ code, ...o });
      faults.set(action, queue);
    },
    instances: () => [...cloud.instances],
    setPageSize: (size) => {
      cloud.options.pageSize = size;
    },
    advanceBoot: () => cloud.advanceBoot(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of delays) clearTimeout(t);
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
