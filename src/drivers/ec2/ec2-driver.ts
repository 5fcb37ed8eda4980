// The `ec2` driver: every EC2-compatible Query API (AWS, Eucalyptus, OpenStack's EC2 API, Nimbus) through
// @aws-sdk/client-ec2, signed with the caller's own site credentials.
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type DescribeImagesCommandInput,
  type EC2Client,
  type Image,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { CloudError } from '../../errors';
import type { CloudDriver, CloudInstance, ImageLists, LaunchRequest, SiteCredentials } from '../cloud-driver';
import { classifyEc2Error, ec2ErrorCode } from './classify-error';
import { Ec2ClientCache } from './client-cache';
import { toCloudInstance } from './instance-mapper';
import type { Ec2Options } from './options';
import { TAG_INSTALLATION, toEc2Tags } from './tags';

/** Terminating a VM EC2 no longer knows (or never could) is success: the VM is gone either way. */
const GONE_INSTANCE_CODES = new Set(['InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed']);

export class Ec2Driver implements CloudDriver {
  private readonly clients: Ec2ClientCache;

  constructor(
    readonly siteId: string,
    private readonly options: Ec2Options,
  ) {
    this.clients = new Ec2ClientCache(options);
  }

  async listInstances(creds: SiteCredentials, installation: string): Promise<CloudInstance[]> {
    return this.call(creds, 'DescribeInstances', async (ec2) => {
      const out: CloudInstance[] = [];
      let nextToken: string | undefined;
      do {
        const page = await ec2.send(
          new DescribeInstancesCommand({
            Filters: [{ Name: `tag:${TAG_INSTALLATION}`, Values: [installation] }],
            MaxResults: this.options.pageSize,
            NextToken: nextToken,
          }),
        );
        for (const reservation of page.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) out.push(toCloudInstance(instance));
        }
        nextToken = page.NextToken || undefined;
      } while (nextToken);
      return out;
    });
  }

  async launch(creds: SiteCredentials, req: LaunchRequest): Promise<CloudInstance> {
    return this.call(creds, 'RunInstances', async (ec2) => {
      const res = await ec2.send(
        new RunInstancesCommand({
          MinCount: 1,
          MaxCount: 1,
          // EC2 answers a repeated token with the instance the first call created.
          ClientToken: req.clientToken,
          ImageId: req.imageId,
          // The SDK's union lists AWS's types; EC2-compatible clouds have their own names (flavors).
          InstanceType: req.instanceType as _InstanceType,
          KeyName: req.keyName ?? creds.keyName,
          UserData: req.userData === undefined ? undefined : Buffer.from(req.userData, 'utf8').toString('base64'),
          TagSpecifications: [{ ResourceType: 'instance', Tags: toEc2Tags(req) }],
        }),
      );
      const instance = res.Instances?.[0];
      if (!instance?.InstanceId) throw new CloudError('Unknown', 'EC2 RunInstances returned no instance');
      return toCloudInstance(instance);
    });
  }

  async terminate(creds: SiteCredentials, iaasId: string): Promise<void> {
    try {
      await this.clients.client(creds).send(new TerminateInstancesCommand({ InstanceIds: [iaasId] }));
    } catch (err) {
      const code = ec2ErrorCode(err);
      if (code !== undefined && GONE_INSTANCE_CODES.has(code)) return;
      throw classifyEc2Error(err, 'TerminateInstances', [creds.secretKey]);
    }
  }

  async listImages(creds: SiteCredentials): Promise<ImageLists> {
    return this.call(creds, 'DescribeImages', async (ec2) => {
      const own = await this.describeImages(ec2, { Owners: ['self'] });
      const pub = await this.describeImages(ec2, { Filters: [{ Name: 'is-public', Values: ['true'] }] });
      return {
        public: ids(pub.filter((i) => i.Public !== false)),
        user: ids(own.filter((i) => i.Public !== true)),
      };
    });
  }

  async listKeyPairs(creds: SiteCredentials): Promise<string[]> {
    return this.call(creds, 'DescribeKeyPairs', async (ec2) => {
      const res = await ec2.send(new DescribeKeyPairsCommand({}));
      return (res.KeyPairs ?? []).flatMap((k) => (k.KeyName ? [k.KeyName] : []));
    });
  }

  /** DescribeKeyPairs: cheap, read-only, and implemented by every EC2-compatible cloud. */
  async validateCredentials(creds: SiteCredentials): Promise<void> {
    await this.listKeyPairs(creds);
  }

  /** Closes the cached clients' sockets (tests, shutdown). */
  close(): void {
    this.clients.close();
  }

  private async call<T>(creds: SiteCredentials, action: string, fn: (ec2: EC2Client) => Promise<T>): Promise<T> {
    try {
      return await fn(this.clients.client(creds));
    } catch (err) {
      throw classifyEc2Error(err, action, [creds.secretKey]);
    }
  }

  /** Pages through DescribeImages, stopping at the site's image limit (see options.ts). */
  private async describeImages(ec2: EC2Client, input: DescribeImagesCommandInput): Promise<Image[]> {
    const limit = this.options.imageLimit;
    const out: Image[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeImagesCommand({ ...input, MaxResults: Math.max(5, Math.min(1000, limit - out.length)), NextToken: nextToken }),
      );
      out.push(...(page.Images ?? []));
      nextToken = page.NextToken || undefined;
    } while (nextToken && out.length < limit);
    return out.slice(0, limit);
  }
}

function ids(images: Image[]): string[] {
  return images.flatMap((i) => (i.ImageId ? [i.ImageId] : []));
}
