// Request bodies and stored rows the launch-configuration, domain and instance tests share.
import { randomBytes } from 'node:crypto';
import { v4 as uuidv4 } from 'uuid';
import type { Harness, TestUser } from './harness';

export const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

export function lcBody(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    contextualization_method: 'none',
    cloud_params: {
      hotel: { image_id: 'hello-phantom.gz', instance_type: 'm1.small', max_vms: 16, common: true, rank: 1 },
      sierra: { image_id: 'ami-deadbeef', instance_type: 'm1.small', max_vms: -1, common: false, rank: 2 },
    },
    ...extra,
  };
}

/** Creates a launch configuration over HTTP and returns its response body. */
export async function createLc(h: Harness, u: TestUser, extra: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
  const res = await h.http().post('/api/dev/launchconfigurations').auth(...u.basic).send(lcBody(unique('lc'), extra));
  if (res.status !== 201) throw new Error(`LC setup failed: ${res.status} ${res.text}`);
  return res.body as { id: string; name: string };
}

export function multicloudBody(name: string, lcName: string, vmCount: number | string = 1): Record<string, unknown> {
  return { name, de_name: 'multicloud', lc_name: lcName, monitor_sensors: '', monitor_domain_sensors: '', vm_count: vmCount };
}

export function sensorBody(name: string, lcName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    de_name: 'sensor',
    lc_name: lcName,
    monitor_sensors: 'proc.loadavg.1min,df.inodes.free',
    monitor_domain_sensors: '',
    sensor_minimum_vms: 1,
    sensor_maximum_vms: 10,
    sensor_metric: 'proc.loadavg.1min',
    sensor_scale_down_threshold: '0.5',
    sensor_scale_down_vms: 1,
    sensor_scale_up_threshold: 1,
    sensor_scale_up_vms: 1,
    sensor_cooldown: 60,
    ...extra,
  };
}

/** Creates a domain over HTTP (a fresh LC unless one is named) and returns its response body. */
export async function createDomain(
  h: Harness,
  u: TestUser,
  body?: (lcName: string) => Record<string, unknown>,
): Promise<{ id: string; name: string; [k: string]: unknown }> {
  const lc = await createLc(h, u);
  const payload = body ? body(lc.name) : multicloudBody(unique('dom'), lc.name);
  const res = await h.http().post('/api/dev/domains').auth(...u.basic).send(payload);
  if (res.status !== 201) throw new Error(`domain setup failed: ${res.status} ${res.text}`);
  return res.body as { id: string; name: string };
}

/** Inserts an instance row as the engine would (the engine is not part of this API). */
export async function insertInstance(
  h: Harness,
  domainId: string,
  extra: Partial<{ lifecycleState: number; iaasInstanceId: string | null; hostname: string | null; terminateRequested: boolean; stateReason: string | null }> = {},
): Promise<string> {
  const id = uuidv4();
  await h.container.db.instance.create({
    data: {
      id,
      domainId,
      siteId: 'sierra',
      clientToken: uuidv4(),
      lifecycleState: 400,
      imageId: 'hello-phantom.gz',
      instanceType: 'm1.small',
      keyname: 'phantomkey',
      iaasInstanceId: 'i-75c0b81b',
      hostname: 'vm-25.sdsc.futuregrid.org',
      ...extra,
    },
  });
  return id;
}
