// One EC2Client per access key at a site: clients hold keep-alive sockets and signing state, so
// building one per call would be wasteful. A changed secret for the same key replaces the client.
import { createHash } from 'node:crypto';
import { EC2Client } from '@aws-sdk/client-ec2';
import type { SiteCredentials } from '../cloud-driver';
import type { Ec2Options } from './options';

interface Entry {
  secretDigest: string;
  client: EC2Client;
}

export class Ec2ClientCache {
  private readonly clients = new Map<string, Entry>();

  constructor(private readonly options: Ec2Options) {}

  client(creds: SiteCredentials): EC2Client {
    // A digest, not the secret, is what the cache compares and keeps beside the client.
    const secretDigest = createHash('sha256').update(creds.secretKey).digest('hex');
    const cached = this.clients.get(creds.accessKey);
    if (cached && cached.secretDigest === secretDigest) return cached.client;
    cached?.client.destroy();
    const client = this.build(creds);
    this.clients.set(creds.accessKey, { secretDigest, client });
    return client;
  }

  /** Closes every client's sockets. */
  close(): void {
    for (const { client } of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private build(creds: SiteCredentials): EC2Client {
    const { region, endpoint, maxAttempts, requestTimeoutMs } = this.options;
    return new EC2Client({
      region,
      endpoint,
      credentials: { accessKeyId: creds.accessKey, secretAccessKey: creds.secretKey },
      // Phantom's engine owns retry and backoff (options.ts: max_attempts).
      maxAttempts,
      requestHandler: {
        requestTimeout: requestTimeoutMs,
        connectionTimeout: Math.min(requestTimeoutMs, 10_000),
        // Without this the SDK only logs a warning when requestTimeout passes.
        throwOnRequestTimeout: true,
      },
    });
  }
}
