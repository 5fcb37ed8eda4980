// Names and addresses for a new simulated VM. They are data only: nothing ever connects to them
// (public addresses come from TEST-NET-3, 203.0.113.0/24, reserved for documentation).
import { randomBytes } from 'node:crypto';

export interface VmIdentity {
  iaasId: string;
  hostname: string;
  privateIp: string;
  publicIp: string;
}

/** A site id as a DNS label: site ids may hold '_', '.' and ':', which hostnames may not. */
function dnsLabel(siteId: string): string {
  return siteId.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'site';
}

const host = (b: number): number => 1 + (b % 254);

export function newVmIdentity(siteId: string): VmIdentity {
  const b = randomBytes(8);
  const hex = b.subarray(0, 4).toString('hex');
  return {
    iaasId: `i-${hex}`,
    hostname: `vm-${hex}.${dnsLabel(siteId)}.phantom.local`,
    privateIp: `10.${b[4]}.${b[5]}.${host(b[6])}`,
    publicIp: `203.0.113.${host(b[7])}`,
  };
}
