// Builders for policy tests: short, readable fleets and inputs.

import type {
  Decision,
  PolicyInput,
  PolicyInstance,
  PolicySite,
  SensorPolicy,
  SiteAvailability,
} from '../../../src/policies';

export const T0 = new Date('2026-01-01T00:00:00Z');

/** T0 plus `seconds`. */
export function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000);
}

export function site(siteId: string, rank: number, maxVms = -1): PolicySite {
  return { siteId, rank, maxVms };
}

export function inst(id: string, siteId: string, state = 600, createdS = 0, extra: Partial<PolicyInstance> = {}): PolicyInstance {
  return { id, siteId, state, createdAt: at(createdS), ...extra };
}

/** `{ a: 2, b: 1 }` → a-1, a-2, b-1, all RUNNING, created one second apart in that order. */
export function running(counts: Record<string, number>): PolicyInstance[] {
  const out: PolicyInstance[] = [];
  for (const [siteId, n] of Object.entries(counts)) {
    for (let k = 1; k <= n; k++) out.push(inst(`${siteId}-${k}`, siteId, 600, out.length));
  }
  return out;
}

export function blocked(siteId: string, reason: string, until?: Date): SiteAvailability {
  return { siteId, blocked: until ? { reason, until } : { reason } };
}

export function multicloudInput(vmCount: number, rest: Partial<PolicyInput> = {}): PolicyInput {
  return { policy: { kind: 'multicloud', vmCount }, sites: [site('a', 1)], instances: [], now: at(1000), ...rest };
}

export function sensorPolicy(overrides: Partial<SensorPolicy> = {}): SensorPolicy {
  return {
    kind: 'sensor',
    min: 1,
    max: 10,
    metric: 'proc.loadavg.1min',
    metricIsDomainSensor: false,
    scaleUpThreshold: 1,
    scaleDownThreshold: 0.2,
    scaleUpVms: 2,
    scaleDownVms: 1,
    cooldownSeconds: 60,
    lastSensorActionAt: null,
    ...overrides,
  };
}

/** Same reading for every instance id given. */
export function readingsFor(ids: string[], value: number): Record<string, number> {
  return Object.fromEntries(ids.map((id) => [id, value]));
}

/** Launch counts per site, causes merged. */
export function launchesBySite(d: Decision): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of d.launches) out[l.siteId] = (out[l.siteId] ?? 0) + l.count;
  return out;
}

export function victimIds(d: Decision): string[] {
  return d.victims.map((v) => v.instanceId);
}

export function totalLaunches(d: Decision): number {
  return d.launches.reduce((n, l) => n + l.count, 0);
}
