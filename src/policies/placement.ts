// Where launches go and which instances leave. Launches fill sites in rank order and overflow to the
// next rank; scale-down takes from the lowest-priority site first. Both are deterministic: the same
// input always gives the same sites and the same victims.

import { isRunning } from './health';
import type { PolicyInstance, PolicySite, SiteAvailability, Unplaced } from './types';

export interface SiteSlot {
  siteId: string;
  count: number;
}

export interface Placement {
  /** Sites that take launches, in rank order, each with count > 0. */
  slots: SiteSlot[];
  unplaced: Unplaced | null;
}

/** Rank order (1 first); equal ranks by siteId so the order never depends on input order. */
export function byRank(sites: readonly PolicySite[]): PolicySite[] {
  return [...sites].sort((a, b) => a.rank - b.rank || compareStrings(a.siteId, b.siteId));
}

interface Room {
  room: number;
  /** Why the site cannot take more, once its room is used up. */
  why: string;
}

/** How many more healthy instances the site may take, and why no more. */
export function roomAt(site: PolicySite, healthyOnSite: number, avail: SiteAvailability | undefined): Room {
  if (avail?.blocked) {
    const until = avail.blocked.until ? ` until ${avail.blocked.until.toISOString()}` : '';
    return { room: 0, why: `${site.siteId} blocked (${avail.blocked.reason})${until}` };
  }
  let room = Number.POSITIVE_INFINITY;
  let why = '';
  if (site.maxVms >= 0) {
    room = site.maxVms - healthyOnSite;
    why = `${site.siteId} full (max_vms ${site.maxVms})`;
  }
  const cap = avail?.capacityCap;
  if (cap !== undefined && cap - healthyOnSite < room) {
    room = cap - healthyOnSite;
    const because = avail?.capacityReason ? `, ${avail.capacityReason}` : '';
    why = `${site.siteId} at capacity (${cap} VMs${because})`;
  }
  return { room: Math.max(0, room), why };
}

/**
 * Places `demand` launches: fill the rank-1 site up to its room, then overflow to the next rank.
 * Whatever no site can take is returned as `unplaced`, with every exhausted site's reason.
 */
export function placeLaunches(
  sites: readonly PolicySite[],
  healthyBySite: ReadonlyMap<string, number>,
  availability: readonly SiteAvailability[],
  demand: number,
): Placement {
  const slots: SiteSlot[] = [];
  const whys: string[] = [];
  let left = demand;
  for (const site of byRank(sites)) {
    if (left <= 0) break;
    const avail = availability.find((a) => a.siteId === site.siteId);
    const { room, why } = roomAt(site, healthyBySite.get(site.siteId) ?? 0, avail);
    const take = Math.min(room, left);
    if (take > 0) slots.push({ siteId: site.siteId, count: take });
    left -= take;
    if (left > 0) whys.push(why);
  }
  if (left <= 0) return { slots, unplaced: null };
  const detail = whys.length > 0 ? whys.join('; ') : 'the launch configuration has no sites';
  return { slots, unplaced: { count: left, reason: `no site can take ${left} more VM(s): ${detail}` } };
}

/**
 * Within one site: instances not yet RUNNING (100–500) first, then the newest; ties by id.
 * Killing a booting VM wastes the least work; killing the newest keeps the longest-proven ones.
 */
export function compareVictims(a: PolicyInstance, b: PolicyInstance): number {
  const running = Number(isRunning(a)) - Number(isRunning(b));
  if (running !== 0) return running;
  const age = b.createdAt.getTime() - a.createdAt.getTime();
  return age !== 0 ? age : compareStrings(a.id, b.id);
}

/**
 * The first `count` of `healthy` in scale-down order: lowest-priority site (highest rank) first,
 * then compareVictims within the site. Instances on sites not in `sites` come before all others.
 */
export function pickScaleDownVictims(
  sites: readonly PolicySite[],
  healthy: readonly PolicyInstance[],
  count: number,
): PolicyInstance[] {
  if (count <= 0) return [];
  const rankOf = new Map(byRank(sites).map((s, index) => [s.siteId, index]));
  const priority = (i: PolicyInstance): number => rankOf.get(i.siteId) ?? Number.MAX_SAFE_INTEGER;
  const ordered = [...healthy].sort(
    (a, b) => priority(b) - priority(a) || compareStrings(a.siteId, b.siteId) || compareVictims(a, b),
  );
  return ordered.slice(0, count);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
