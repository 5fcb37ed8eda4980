// PLACEHOLDER, replaced by the drivers work: an in-memory simulated cloud just complete enough for
// the resource API (images and key pairs). Not persisted; launches succeed at once.
import { randomUUID } from 'node:crypto';
import { CloudError } from '../../errors';
import type { CloudDriver, CloudInstance, ImageLists, LaunchRequest, SiteCredentials } from '../cloud-driver';
import type { DriverFactory } from '../registry';
import type { SiteDefinition } from '../../sites/sites-file';

function checkCreds(creds: SiteCredentials): void {
  if (creds.accessKey === 'invalid') throw new CloudError('AuthFailed', 'credentials rejected by the simulated cloud');
}

class SimulatedDriver implements CloudDriver {
  private readonly vms = new Map<string, CloudInstance>();
  constructor(private readonly site: SiteDefinition) {}
  get siteId(): string {
    return this.site.id;
  }
  private failMaybe(): void {
    const rate = Number(this.site.options.api_error_rate ?? 0);
    if (Math.random() < rate) throw new CloudError('Transient', 'simulated API error');
  }
  async listInstances(creds: SiteCredentials, installation: string): Promise<CloudInstance[]> {
    checkCreds(creds);
    this.failMaybe();
    return [...this.vms.values()].filter((v) => v.tags.installation === installation);
  }
  async launch(creds: SiteCredentials, req: LaunchRequest): Promise<CloudInstance> {
    checkCreds(creds);
    this.failMaybe();
    const existing = [...this.vms.values()].find((v) => v.clientToken === req.clientToken);
    if (existing) return existing;
    const vm: CloudInstance = { iaasId: `sim-${randomUUID().slice(0, 8)}`, clientToken: req.clientToken, tags: req.tags, state: 600, imageId: req.imageId, instanceType: req.instanceType };
    this.vms.set(vm.iaasId, vm);
    return vm;
  }
  async terminate(creds: SiteCredentials, iaasId: string): Promise<void> {
    checkCreds(creds);
    this.failMaybe();
    this.vms.delete(iaasId);
  }
  async listImages(creds: SiteCredentials): Promise<ImageLists> {
    checkCreds(creds);
    this.failMaybe();
    const images = (this.site.options.public_images as string[] | undefined) ?? ['hello-cloud', 'centos-5.5-x64-vine.gz'];
    return { public: images, user: [] };
  }
  async listKeyPairs(creds: SiteCredentials): Promise<string[]> {
    checkCreds(creds);
    this.failMaybe();
    return (this.site.options.key_names as string[] | undefined) ?? ['default', 'phantom_ssh_key'];
  }
  async validateCredentials(creds: SiteCredentials): Promise<void> {
    checkCreds(creds);
  }
}

export const simulatedDriverFactory: DriverFactory = {
  validateOptions: () => [],
  create: (site) => new SimulatedDriver(site),
};
