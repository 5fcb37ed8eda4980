// Nova's server representation and how it maps onto Phantom's CloudInstance and lifecycle.
import { z } from 'zod';
import { LIFECYCLE_STATES, type CloudInstance, type LifecycleCode } from '../cloud-driver';

/** The metadata keys Phantom writes on every server it creates. */
export const META = {
  installation: 'phantom_installation',
  domainId: 'phantom_domain',
  instanceId: 'phantom_instance',
  clientToken: 'phantom_client_token',
} as const;

const addressSchema = z.object({
  addr: z.string(),
  version: z.number().optional(),
  'OS-EXT-IPS:type': z.string().optional(),
});

export const serverSchema = z.object({
  id: z.string(),
  name: z.string().default(''),
  status: z.string().default('UNKNOWN'),
  metadata: z.record(z.string(), z.string()).default({}),
  addresses: z.record(z.string(), z.array(addressSchema)).default({}),
  accessIPv4: z.string().optional(),
  // "" for a server booted from a volume.
  image: z.union([z.object({ id: z.string() }), z.string()]).optional(),
  // Microversion 2.47+ embeds the flavor (original_name); 2.1 gives its id.
  flavor: z.object({ id: z.string().optional(), original_name: z.string().optional() }).optional(),
  key_name: z.string().nullish(),
  created: z.string().optional(),
  fault: z.object({ message: z.string().optional() }).optional(),
  'OS-EXT-STS:task_state': z.string().nullish(),
  'OS-EXT-SRV-ATTR:hostname': z.string().optional(),
});

export type NovaServer = z.infer<typeof serverSchema>;

const S = LIFECYCLE_STATES;

// Phantom never stops, pauses or shelves a VM, so a server found in such a state is lost to its
// domain: SHUTOFF-like states read as on their way out (700); states that undo themselves or an
// operator undoes (PAUSED, SUSPENDED, RESCUE, UNKNOWN when the compute host is unreachable, and
// anything new) read as ERROR_RETRYING (300). Live operations on a running VM stay RUNNING.
const STATUS_MAP: Record<string, LifecycleCode> = {
  BUILD: S.PENDING,
  REBUILD: S.PENDING,
  ACTIVE: S.RUNNING,
  REBOOT: S.RUNNING,
  HARD_REBOOT: S.RUNNING,
  PASSWORD: S.RUNNING,
  MIGRATING: S.RUNNING,
  RESIZE: S.RUNNING,
  VERIFY_RESIZE: S.RUNNING,
  REVERT_RESIZE: S.RUNNING,
  SHUTOFF: S.TERMINATING,
  STOPPED: S.TERMINATING,
  SHELVED: S.TERMINATING,
  SHELVED_OFFLOADED: S.TERMINATING,
  DELETED: S.TERMINATED,
  SOFT_DELETED: S.TERMINATED,
  ERROR: S.FAILED,
};

export function lifecycleOf(server: NovaServer): { state: LifecycleCode; reason?: string } {
  // A deleted server keeps its last status (often ACTIVE) until Nova finishes deleting it.
  if (server['OS-EXT-STS:task_state'] === 'deleting' && server.status !== 'DELETED') {
    return { state: S.TERMINATING, reason: 'nova is deleting the server' };
  }
  const state = STATUS_MAP[server.status] ?? S.ERROR_RETRYING;
  if (state === S.FAILED) return { state, reason: server.fault?.message || 'nova reports the server in ERROR' };
  if (state === S.TERMINATING || state === S.ERROR_RETRYING) return { state, reason: `nova status ${server.status}` };
  return { state };
}

export function toCloudInstance(server: NovaServer): CloudInstance {
  const m = server.metadata;
  const { state, reason } = lifecycleOf(server);
  const { privateIp, publicIp } = addressesOf(server);
  const created = server.created ? new Date(server.created) : undefined;
  return {
    iaasId: server.id,
    clientToken: m[META.clientToken],
    tags: { installation: m[META.installation], domainId: m[META.domainId], instanceId: m[META.instanceId] },
    state,
    stateReason: reason,
    imageId: typeof server.image === 'object' ? server.image.id : undefined,
    instanceType: server.flavor?.original_name ?? server.flavor?.id,
    keyName: server.key_name ?? undefined,
    hostname: server['OS-EXT-SRV-ATTR:hostname'] || server.name || undefined,
    privateIp,
    publicIp,
    launchedAt: created && !Number.isNaN(created.getTime()) ? created : undefined,
  };
}

/**
 * Nova lists addresses per network. A floating IP is the public address; without one, a fixed
 * address outside the private ranges (a provider network) is, as is accessIPv4.
 */
function addressesOf(server: NovaServer): { privateIp?: string; publicIp?: string } {
  const all = Object.values(server.addresses).flat().filter((a) => a.version !== 6 && !a.addr.includes(':'));
  const fixed = all.filter((a) => a['OS-EXT-IPS:type'] !== 'floating').map((a) => a.addr);
  const floating = all.filter((a) => a['OS-EXT-IPS:type'] === 'floating').map((a) => a.addr);
  const privateIp = fixed.find(isPrivate) ?? fixed[0];
  const publicIp = floating[0] ?? (server.accessIPv4 || undefined) ?? fixed.find((a) => !isPrivate(a));
  return { privateIp, publicIp };
}

function isPrivate(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
}
