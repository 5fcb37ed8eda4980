// A domain's activity history (what the engine did and why), newest first, paged by id cursor.
import type { Db } from '../db/client';
import { NotFound } from '../errors';
import { requireUuid, type Owner } from './resource-support';

export interface ActivityView {
  id: number;
  at: Date;
  kind: string;
  siteId: string | null;
  instanceId: string | null;
  cause: string;
  errorClass: string | null;
}

export interface ActivityPage {
  activities: ActivityView[];
  /** The cursor for the next (older) page, or null on the last page. */
  nextBefore: number | null;
}

export const ACTIVITY_PAGE = { default: 50, max: 500 } as const;

export class ActivitiesService {
  constructor(private readonly deps: { db: Db }) {}

  /** Only the owner sees a domain's activities; to anyone else the domain does not exist. */
  async list(owner: Owner, domainId: string, page: { limit: number; before?: number }): Promise<ActivityPage> {
    requireUuid(domainId, 'Domain');
    const domain = await this.deps.db.domain.findFirst({ where: { id: domainId, userId: owner.userId }, select: { id: true } });
    if (!domain) throw new NotFound(`Domain ${domainId} not found`);
    const rows = await this.deps.db.domainActivity.findMany({
      where: { domainId, ...(page.before !== undefined ? { id: { lt: page.before } } : {}) },
      orderBy: { id: 'desc' },
      take: page.limit + 1,
      select: { id: true, at: true, kind: true, siteId: true, instanceId: true, cause: true, errorClass: true },
    });
    const more = rows.length > page.limit;
    const activities = more ? rows.slice(0, page.limit) : rows;
    return { activities, nextBefore: more ? activities[activities.length - 1].id : null };
  }
}
