// The EC2 tags Phantom writes on every VM it launches, and reads back to recognise its own VMs.
import type { Tag } from '@aws-sdk/client-ec2';
import type { LaunchRequest, PhantomTags } from '../cloud-driver';

export const TAG_INSTALLATION = 'phantom:installation';
export const TAG_DOMAIN = 'phantom:domain';
export const TAG_INSTANCE = 'phantom:instance';

export function toEc2Tags(req: LaunchRequest): Tag[] {
  const { installation, domainId, instanceId } = req.tags;
  return [
    { Key: TAG_INSTALLATION, Value: installation },
    { Key: TAG_DOMAIN, Value: domainId },
    { Key: TAG_INSTANCE, Value: instanceId },
    // Name is what the AWS console shows; make Phantom's VMs recognisable there.
    { Key: 'Name', Value: `phantom-${domainId}-${instanceId}` },
  ];
}

export function fromEc2Tags(tags: Tag[] | undefined): Partial<PhantomTags> {
  const out: Partial<PhantomTags> = {};
  for (const { Key, Value } of tags ?? []) {
    if (Value === undefined) continue;
    if (Key === TAG_INSTALLATION) out.installation = Value;
    else if (Key === TAG_DOMAIN) out.domainId = Value;
    else if (Key === TAG_INSTANCE) out.instanceId = Value;
  }
  return out;
}
