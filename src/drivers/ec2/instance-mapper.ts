// An EC2 Instance (as the SDK parses it) onto Phantom's CloudInstance.
import type { Instance } from '@aws-sdk/client-ec2';
import type { CloudInstance } from '../cloud-driver';
import { toLifecycleState } from './states';
import { fromEc2Tags } from './tags';

/** EC2 sends empty elements for absent addresses and names; Phantom wants them absent. */
function present(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export function toCloudInstance(i: Instance): CloudInstance {
  return {
    iaasId: i.InstanceId ?? '',
    clientToken: present(i.ClientToken),
    tags: fromEc2Tags(i.Tags),
    state: toLifecycleState(i.State?.Name, i.State?.Code),
    stateReason: present(i.StateReason?.Message) ?? present(i.StateReason?.Code),
    imageId: present(i.ImageId),
    instanceType: present(i.InstanceType),
    keyName: present(i.KeyName),
    hostname: present(i.PublicDnsName) ?? present(i.PrivateDnsName),
    publicIp: present(i.PublicIpAddress),
    privateIp: present(i.PrivateIpAddress),
    launchedAt: i.LaunchTime,
  };
}
