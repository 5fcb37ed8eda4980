// Builds the pure policies' input from the engine's records.
import type { DomainPolicy, PolicyInput, PolicyInstance, SensorReadings, SiteAvailability } from '../policies';
import type { PassContext } from './context';
import { launchSite } from './launcher';
import type { DomainRecord, InstanceRecord } from './records';

export function policyOf(d: DomainRecord): DomainPolicy {
  if (d.deName !== 'sensor') return { kind: 'multicloud', vmCount: d.vmCount ?? 0 };
  const metric = d.sensorMetric ?? '';
  return {
    kind: 'sensor',
    min: d.sensorMinimumVms ?? 0,
    max: d.sensorMaximumVms ?? 0,
    metric,
    metricIsDomainSensor: splitList(d.monitorDomainSensors).includes(metric),
    scaleUpThreshold: d.sensorScaleUpThreshold ?? Number.POSITIVE_INFINITY,
    scaleDownThreshold: d.sensorScaleDownThreshold ?? Number.NEGATIVE_INFINITY,
    scaleUpVms: d.sensorScaleUpVms ?? 0,
    scaleDownVms: d.sensorScaleDownVms ?? 0,
    cooldownSeconds: d.sensorCooldown ?? 0,
    lastSensorActionAt: d.lastSensorActionAt,
    desiredVms: d.desiredVms,
  };
}

export function splitList(csv: string): string[] {
  return csv.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

export function toPolicyInstance(r: InstanceRecord): PolicyInstance {
  return {
    id: r.id,
    siteId: r.siteId,
    state: r.lifecycleState,
    createdAt: r.createdAt,
    stateChangedAt: r.stateChangedAt ?? undefined,
    terminateRequested: r.terminateRequested,
  };
}

/** Per site: blocked without credentials, else whatever the backoff holds against it. */
export function availabilityOf(ctx: PassContext, d: DomainRecord): SiteAvailability[] {
  const out: SiteAvailability[] = [];
  for (const s of d.launchConfiguration.sites) {
    if (!ctx.credentials.get(d.userId, s.siteId)) {
      out.push({ siteId: s.siteId, blocked: { reason: `no credentials for site ${s.siteId}` } });
      continue;
    }
    if (!ctx.drivers.site(s.siteId)) {
      out.push({ siteId: s.siteId, blocked: { reason: `site ${s.siteId} is no longer served` } });
      continue;
    }
    const a = ctx.backoff.availability(launchSite(ctx, d, s.siteId, s.instanceType), ctx.now);
    if (a) out.push(a);
  }
  return out;
}

export function policyInput(ctx: PassContext, d: DomainRecord, rows: InstanceRecord[], readings: SensorReadings | undefined): PolicyInput {
  return {
    policy: policyOf(d),
    sites: d.launchConfiguration.sites.map((s) => ({ siteId: s.siteId, rank: s.rank, maxVms: s.maxVms })),
    instances: rows.map(toPolicyInstance),
    availability: availabilityOf(ctx, d),
    readings: readings ?? { instanceAverages: {} },
    now: ctx.now,
  };
}
