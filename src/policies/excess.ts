// Excess trimming: what the launch configuration no longer allows. Runs before any policy maths and
// is never held back by a cooldown (a lowered max_vms or a removed site takes effect at once).

import { compareVictims } from './placement';
import type { PolicyInstance, PolicySite, Victim } from './types';

/**
 * Victims among `healthy`: every instance on a site no longer in the launch configuration, and on
 * each site with max_vms ≥ 0, the healthy instances beyond it (in scale-down order within the site).
 */
export function trimExcess(sites: readonly PolicySite[], healthy: readonly PolicyInstance[]): Victim[] {
  const siteById = new Map(sites.map((s) => [s.siteId, s]));
  const victims: Victim[] = [];
  for (const [siteId, onSite] of groupBySite(healthy)) {
    const site = siteById.get(siteId);
    if (!site) {
      const cause = 'site removed from launch configuration';
      victims.push(...onSite.map((i) => victim(i, 'site_removed', cause)));
      continue;
    }
    if (site.maxVms < 0 || onSite.length <= site.maxVms) continue;
    const cause = `max_vms lowered to ${site.maxVms} on ${siteId}`;
    const excess = [...onSite].sort(compareVictims).slice(0, onSite.length - site.maxVms);
    victims.push(...excess.map((i) => victim(i, 'max_vms', cause)));
  }
  return victims;
}

function groupBySite(instances: readonly PolicyInstance[]): Map<string, PolicyInstance[]> {
  const bySite = new Map<string, PolicyInstance[]>();
  for (const i of [...instances].sort((a, b) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : 0))) {
    const list = bySite.get(i.siteId) ?? [];
    list.push(i);
    bySite.set(i.siteId, list);
  }
  return bySite;
}

function victim(i: PolicyInstance, reason: Victim['reason'], cause: string): Victim {
  return { instanceId: i.id, siteId: i.siteId, reason, cause };
}
