// A stored simulated VM as the port reports it (CloudInstance), at a given moment.
import type { CloudInstance, PhantomTags } from '../cloud-driver';
import { observe } from './lifecycle';
import type { ListedVmRow } from './store';

const TAG_KEYS: (keyof PhantomTags)[] = ['installation', 'domainId', 'instanceId'];

/** The stored tags JSON, keeping only string values of known keys; bad JSON reads as no tags. */
export function parseTags(json: string): Partial<PhantomTags> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return {};
  }
  const tags: Partial<PhantomTags> = {};
  if (typeof value !== 'object' || value === null) return tags;
  for (const key of TAG_KEYS) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === 'string') tags[key] = v;
  }
  return tags;
}

export function toCloudInstance(row: ListedVmRow, now: Date): CloudInstance {
  const seen = observe(row, now);
  return {
    iaasId: row.iaasId,
    clientToken: row.clientToken,
    tags: parseTags(row.tags),
    state: seen.state,
    stateReason: seen.reason,
    imageId: row.imageId,
    instanceType: row.instanceType,
    keyName: row.keyName ?? undefined,
    hostname: row.hostname,
    publicIp: row.publicIp,
    privateIp: row.privateIp,
    launchedAt: row.createdAt,
  };
}
