// One listInstances call per site and credential per pass: every domain of that user at that site
// reads its VMs from the same listing. A failed listing is remembered as failed for the pass, so
// nothing is concluded from it (a VM is never declared vanished because a list call failed).
import type { CloudInstance, SiteCredentials } from '../drivers/cloud-driver';
import type { DriverRegistry } from '../drivers/registry';
import type { Logger } from '../lib/logger';

export class Listing {
  readonly byIaasId = new Map<string, CloudInstance>();
  readonly byToken = new Map<string, CloudInstance>();

  constructor(readonly vms: CloudInstance[]) {
    for (const vm of vms) {
      this.byIaasId.set(vm.iaasId, vm);
      if (vm.clientToken) this.byToken.set(vm.clientToken, vm);
    }
  }

  /** The VM of an instance record: by cloud id once known, else by the launch's client token. */
  find(iaasId: string | null, clientToken: string): CloudInstance | undefined {
    return (iaasId ? this.byIaasId.get(iaasId) : undefined) ?? this.byToken.get(clientToken);
  }
}

export class CloudListings {
  private readonly cache = new Map<string, Promise<Listing | null>>();

  constructor(
    private readonly drivers: DriverRegistry,
    private readonly installationId: string,
    private readonly logger: Logger,
  ) {}

  /** The site's VMs of this installation as `userId` sees them; null when the call failed. */
  get(siteId: string, userId: number, creds: SiteCredentials): Promise<Listing | null> {
    const key = `${userId}\u0000${siteId}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.fetch(siteId, userId, creds);
      this.cache.set(key, found);
    }
    return found;
  }

  private async fetch(siteId: string, userId: number, creds: SiteCredentials): Promise<Listing | null> {
    try {
      return new Listing(await this.drivers.driver(siteId).listInstances(creds, this.installationId));
    } catch (err) {
      this.logger.warn({ site: siteId, userId, error: describe(err) }, 'listing instances failed; states at this site are not refreshed this pass');
      return null;
    }
  }
}

/** An error's class and message for logs and state reasons (driver messages carry no secrets). */
export function describe(err: unknown): string {
  if (err instanceof Error) {
    const cls = (err as { errorClass?: unknown }).errorClass;
    return typeof cls === 'string' ? `${cls}: ${err.message}` : `${err.name}: ${err.message}`;
  }
  return String(err);
}
