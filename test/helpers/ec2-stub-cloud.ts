// The in-memory cloud behind the EC2 stub: accounts, images, key pairs and instances, with the
// behaviour Phantom relies on — ClientToken idempotency, tag filters, pagination, PENDING → RUNNING.
import { randomBytes } from 'node:crypto';
import { Ec2Fault, filters, list, maxResults, nextToken, pageStart, required, tagSpecifications } from './ec2-stub-params';
import { el, itemSet, reservationXml, stateXml, type XmlInstance } from './ec2-stub-xml';

export interface StubAccount {
  accessKey: string;
  secretKey: string;
  accountId: string;
  keyPairs: string[];
}

export interface StubImage {
  imageId: string;
  ownerId: string;
  isPublic: boolean;
  name: string;
}

export type StubStateName = 'pending' | 'running' | 'shutting-down' | 'terminated';

const STATE_CODES: Record<StubStateName, number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48 };

export interface StubInstance {
  instanceId: string;
  reservationId: string;
  accountId: string;
  imageId: string;
  instanceType: string;
  keyName?: string;
  /** UserData exactly as it arrived on the wire (EC2 requires base64). */
  userData?: string;
  clientToken?: string;
  tags: Record<string, string>;
  state: StubStateName;
  launchedAt: Date;
  privateIp: string;
  publicIp?: string;
}

export interface StubCloudOptions {
  /** Instances per DescribeInstances/DescribeImages page, whatever MaxResults asks (EC2 may return fewer). */
  pageSize: number;
  /** PENDING → RUNNING after this long; undefined: only when advanceBoot() is called. */
  bootDelayMs?: number;
  instanceTypes: string[];
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const AMI_ID = /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/;
const INSTANCE_ID = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;

export class StubCloud {
  readonly instances: StubInstance[] = [];
  readonly images: StubImage[] = [];
  private ipSeq = 10;

  constructor(readonly options: StubCloudOptions) {}

  /** Every PENDING instance becomes RUNNING now. */
  advanceBoot(): void {
    for (const i of this.instances) if (i.state === 'pending') this.boot(i);
  }

  runInstances(account: StubAccount, p: URLSearchParams): string {
    const imageId = required(p, 'ImageId');
    const instanceType = p.get('InstanceType') ?? 'm1.small';
    const count = Number(required(p, 'MaxCount'));
    const token = p.get('ClientToken') ?? undefined;
    if (token !== undefined && token.length > 64) throw new Ec2Fault('InvalidParameterValue', 'ClientToken must be at most 64 characters');
    if (token !== undefined) {
      const earlier = this.instances.filter((i) => i.accountId === account.accountId && i.clientToken === token);
      if (earlier.length > 0) {
        if (earlier[0].imageId !== imageId || earlier[0].instanceType !== instanceType) {
          throw new Ec2Fault('IdempotentParameterMismatch', 'The client token you have provided is associated with a resource that was created with different parameters');
        }
        return this.reservation(account, earlier);
      }
    }
    this.checkImage(account, imageId);
    if (!this.options.instanceTypes.includes(instanceType)) throw new Ec2Fault('InvalidParameterValue', `Invalid value '${instanceType}' for InstanceType.`);
    const keyName = p.get('KeyName') ?? undefined;
    if (keyName !== undefined && !account.keyPairs.includes(keyName)) throw new Ec2Fault('InvalidKeyPair.NotFound', `The key pair '${keyName}' does not exist`);
    const reservationId = `r-${hex(8).slice(0, 17)}`;
    const created: StubInstance[] = [];
    for (let n = 0; n < (Number.isInteger(count) && count > 0 ? count : 1); n++) {
      const instance: StubInstance = {
        instanceId: `i-${hex(9).slice(0, 17)}`,
        reservationId,
        accountId: account.accountId,
        imageId,
        instanceType,
        keyName,
        userData: p.get('UserData') ?? undefined,
        clientToken: token,
        tags: tagSpecifications(p, 'instance'),
        state: 'pending',
        launchedAt: new Date(),
        privateIp: `10.0.${Math.floor(this.ipSeq / 250)}.${(this.ipSeq % 250) + 2}`,
      };
      this.ipSeq++;
      this.instances.push(instance);
      created.push(instance);
    }
    return this.reservation(account, created);
  }

  describeInstances(account: StubAccount, p: URLSearchParams): string {
    this.bootDue();
    const wanted = new Set(list(p, 'InstanceId'));
    const match = this.instanceFilter(filters(p));
    const all = this.instances.filter((i) => i.accountId === account.accountId && (wanted.size === 0 || wanted.has(i.instanceId)) && match(i));
    const { page, token } = this.paginate(all, p);
    const reservations = page.map((i) => reservationXml(i.reservationId, account.accountId, [toXml(i)]));
    return itemSet('reservationSet', reservations) + (token ? el('nextToken', token) : '');
  }

  terminateInstances(account: StubAccount, p: URLSearchParams): string {
    const ids = list(p, 'InstanceId');
    if (ids.length === 0) throw new Ec2Fault('MissingParameter', 'The request must contain the parameter InstanceId');
    const targets = ids.map((id) => {
      if (!INSTANCE_ID.test(id)) throw new Ec2Fault('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
      const found = this.instances.find((i) => i.instanceId === id && i.accountId === account.accountId);
      if (!found) throw new Ec2Fault('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
      return found;
    });
    const items = targets.map((i) => {
      const previous = { code: STATE_CODES[i.state], name: i.state };
      // Real EC2 passes through shutting-down for a while; the stub settles at once.
      const current = i.state === 'terminated' ? previous : { code: STATE_CODES['shutting-down'], name: 'shutting-down' };
      i.state = 'terminated';
      i.publicIp = undefined;
      return el('instanceId', i.instanceId) + stateXml('currentState', current) + stateXml('previousState', previous);
    });
    return itemSet('instancesSet', items);
  }

  describeImages(account: StubAccount, p: URLSearchParams): string {
    const owners = list(p, 'Owner');
    const executableBy = list(p, 'ExecutableBy');
    const f = filters(p);
    const isPublic = f.get('is-public');
    const visible = this.images.filter((img) => img.isPublic || img.ownerId === account.accountId);
    const matching = visible.filter(
      (img) =>
        (owners.length === 0 || owners.some((o) => (o === 'self' ? img.ownerId === account.accountId : o === img.ownerId))) &&
        (executableBy.length === 0 || executableBy.some((e) => (e === 'all' ? img.isPublic : e === 'self'))) &&
        (isPublic === undefined || isPublic.includes(String(img.isPublic))),
    );
    const { page, token } = this.paginate(matching, p);
    const items = page.map(
      (img) =>
        el('imageId', img.imageId) +
        el('imageLocation', `${img.ownerId}/${img.name}`) +
        el('imageState', 'available') +
        el('imageOwnerId', img.ownerId) +
        el('isPublic', img.isPublic) +
        el('architecture', 'x86_64') +
        el('imageType', 'machine') +
        el('name', img.name) +
        el('rootDeviceType', 'ebs'),
    );
    return itemSet('imagesSet', items) + (token ? el('nextToken', token) : '');
  }

  describeKeyPairs(account: StubAccount, p: URLSearchParams): string {
    const wanted = list(p, 'KeyName');
    const missing = wanted.find((k) => !account.keyPairs.includes(k));
    if (missing) throw new Ec2Fault('InvalidKeyPair.NotFound', `The key pair '${missing}' does not exist`);
    const names = wanted.length > 0 ? wanted : account.keyPairs;
    return itemSet('keySet', names.map((k) => el('keyPairId', `key-${Buffer.from(k).toString('hex').slice(0, 17)}`) + el('keyName', k) + el('keyFingerprint', '1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f')));
  }

  private checkImage(account: StubAccount, imageId: string): void {
    if (!AMI_ID.test(imageId)) throw new Ec2Fault('InvalidAMIID.Malformed', `Invalid id: "${imageId}" (expecting "ami-...")`);
    const img = this.images.find((i) => i.imageId === imageId && (i.isPublic || i.ownerId === account.accountId));
    if (!img) throw new Ec2Fault('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
  }

  private reservation(account: StubAccount, instances: StubInstance[]): string {
    return reservationXml(instances[0].reservationId, account.accountId, instances.map(toXml));
  }

  private instanceFilter(f: Map<string, string[]>): (i: StubInstance) => boolean {
    const tests: Array<(i: StubInstance) => boolean> = [];
    for (const [name, values] of f) {
      if (name.startsWith('tag:')) tests.push((i) => values.includes(i.tags[name.slice(4)]));
      else if (name === 'tag-key') tests.push((i) => values.some((v) => v in i.tags));
      else if (name === 'instance-state-name') tests.push((i) => values.includes(i.state));
      else if (name === 'client-token') tests.push((i) => i.clientToken !== undefined && values.includes(i.clientToken));
      else throw new Ec2Fault('InvalidParameterValue', `The filter '${name}' is invalid`);
    }
    return (i) => tests.every((t) => t(i));
  }

  private paginate<T>(all: T[], p: URLSearchParams): { page: T[]; token?: string } {
    const start = pageStart(p);
    const size = Math.min(maxResults(p) ?? Infinity, this.options.pageSize);
    const page = all.slice(start, start + size);
    return { page, token: start + size < all.length ? nextToken(start + size) : undefined };
  }

  private bootDue(): void {
    const delay = this.options.bootDelayMs;
    if (delay === undefined) return;
    const now = Date.now();
    for (const i of this.instances) if (i.state === 'pending' && now - i.launchedAt.getTime() >= delay) this.boot(i);
  }

  private boot(i: StubInstance): void {
    i.state = 'running';
    i.publicIp = `203.0.113.${(Number.parseInt(i.instanceId.slice(2, 6), 16) % 250) + 2}`;
  }
}

function toXml(i: StubInstance): XmlInstance {
  const stateReason =
    i.state === 'pending'
      ? { code: 'pending', message: 'pending' }
      : i.state === 'terminated'
        ? { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' }
        : undefined;
  return {
    instanceId: i.instanceId,
    imageId: i.imageId,
    instanceType: i.instanceType,
    keyName: i.keyName,
    state: { code: STATE_CODES[i.state], name: i.state },
    stateReason,
    privateIp: i.privateIp,
    privateDnsName: `ip-${i.privateIp.replace(/\./g, '-')}.ec2.internal`,
    publicIp: i.publicIp,
    dnsName: i.publicIp ? `ec2-${i.publicIp.replace(/\./g, '-')}.compute-1.amazonaws.com` : undefined,
    launchTime: i.launchedAt,
    clientToken: i.clientToken,
    tags: i.tags,
  };
}
