import { z } from 'zod';
import type { DomainInput, DomainPolicy } from '../services/domains.service';
import { lenientInt, lenientNumber, resourceName } from './lenient.schemas';

const MAX_VMS = 100_000;
const MAX_COOLDOWN_SECONDS = 7 * 24 * 3600;
const MAX_SENSORS_PER_LIST = 64;
const METRIC = /^[A-Za-z0-9._\-/]{1,128}$/;

/** A comma-separated list of metric names, as the original's clients send it ("" for none). */
const sensorList = z
  .string({ error: 'must be a comma-separated string of metric names' })
  .max(8192, { error: 'must be at most 8192 characters' })
  .refine((s) => s === '' || s.split(',').every((m) => METRIC.test(m.trim())), {
    error: 'must be metric names (letters, digits, . _ - /) separated by commas',
  })
  .refine((s) => s.split(',').length <= MAX_SENSORS_PER_LIST, { error: `must name at most ${MAX_SENSORS_PER_LIST} metrics` })
  .nullish()
  .transform((s) => (s ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '').join(','));

const count = () => lenientInt(0, MAX_VMS).nullish();

const SENSOR_FIELDS = [
  'sensor_minimum_vms',
  'sensor_maximum_vms',
  'sensor_metric',
  'sensor_scale_up_threshold',
  'sensor_scale_down_threshold',
  'sensor_scale_up_vms',
  'sensor_scale_down_vms',
  'sensor_cooldown',
] as const;

/**
 * A domain as POSTed, or PUT back whole. The policy fields of the other de_name are ignored, as are
 * the read-only fields of a GET body (id, uri, owner, sensor_data, launchconfiguration, state).
 */
export const domainBody = z
  .object({
    name: resourceName,
    de_name: z.enum(['multicloud', 'sensor'], { error: 'must be multicloud or sensor' }),
    lc_name: z.string({ error: 'required' }).min(1, { error: 'required' }).max(128, { error: 'must be at most 128 characters' }),
    monitor_sensors: sensorList,
    monitor_domain_sensors: sensorList,
    chef_credential: z.string({ error: 'must be a string' }).max(128, { error: 'must be at most 128 characters' }).nullish(),
    vm_count: count(),
    sensor_minimum_vms: count(),
    sensor_maximum_vms: count(),
    sensor_metric: z.string({ error: 'must be a metric name' }).regex(METRIC, { error: 'must be a metric name (letters, digits, . _ - /)' }).nullish(),
    sensor_scale_up_threshold: lenientNumber().nullish(),
    sensor_scale_down_threshold: lenientNumber().nullish(),
    sensor_scale_up_vms: count(),
    sensor_scale_down_vms: count(),
    sensor_cooldown: lenientInt(0, MAX_COOLDOWN_SECONDS).nullish(),
  })
  .superRefine((b, ctx) => {
    const missing = (field: string) => ctx.addIssue({ code: 'custom', path: [field], message: `required with de_name ${b.de_name}` });
    if (b.de_name === 'multicloud') {
      if (b.vm_count == null) missing('vm_count');
      return;
    }
    for (const f of SENSOR_FIELDS) if (b[f] == null) missing(f);
    // Refinements also run when a field failed only a range check, so compare valid values only.
    const validCount = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
    if (validCount(b.sensor_minimum_vms) && validCount(b.sensor_maximum_vms) && b.sensor_minimum_vms > b.sensor_maximum_vms) {
      ctx.addIssue({ code: 'custom', path: ['sensor_minimum_vms'], message: 'must not exceed sensor_maximum_vms' });
    }
    if (
      typeof b.sensor_scale_up_threshold === 'number' &&
      typeof b.sensor_scale_down_threshold === 'number' &&
      !(b.sensor_scale_up_threshold > b.sensor_scale_down_threshold)
    ) {
      ctx.addIssue({ code: 'custom', path: ['sensor_scale_up_threshold'], message: 'must be greater than sensor_scale_down_threshold' });
    }
  })
  .transform((b): DomainInput => {
    // The refinement above guarantees every field the chosen policy needs; `?? 0` only satisfies the types.
    const policy: DomainPolicy =
      b.de_name === 'multicloud'
        ? { deName: 'multicloud', vmCount: b.vm_count ?? 0 }
        : {
            deName: 'sensor',
            minimumVms: b.sensor_minimum_vms ?? 0,
            maximumVms: b.sensor_maximum_vms ?? 0,
            metric: b.sensor_metric ?? '',
            scaleUpThreshold: b.sensor_scale_up_threshold ?? 0,
            scaleDownThreshold: b.sensor_scale_down_threshold ?? 0,
            scaleUpVms: b.sensor_scale_up_vms ?? 0,
            scaleDownVms: b.sensor_scale_down_vms ?? 0,
            cooldownSeconds: b.sensor_cooldown ?? 0,
          };
    return {
      name: b.name,
      lcName: b.lc_name,
      monitorSensors: b.monitor_sensors,
      monitorDomainSensors: b.monitor_domain_sensors,
      chefCredential: b.chef_credential ? b.chef_credential : null,
      policy,
    };
  });
