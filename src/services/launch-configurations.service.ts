import { v4 as uuidv4 } from 'uuid';
import type { Db } from '../db/client';
import type { DriverRegistry } from '../drivers/registry';
import { Conflict, Invalid, NotFound, type FieldProblem } from '../errors';
import { isUniqueViolation, requireUuid, type Owner } from './resource-support';

export type ContextualizationMethod = 'none' | 'user_data' | 'chef';

export interface LaunchConfigurationSiteInput {
  siteId: string;
  imageId: string;
  instanceType: string;
  /** -1 means unlimited. */
  maxVms: number;
  common: boolean;
  rank: number;
}

/** A whole launch configuration, already shape-checked at the edge (ranks distinct, fields typed). */
export interface LaunchConfigurationInput {
  name: string;
  contextualizationMethod: ContextualizationMethod;
  userData: string | null;
  /** JSON-encoded, as the client sent it. */
  chefRunlist: string | null;
  chefAttributes: string | null;
  sites: LaunchConfigurationSiteInput[];
}

/** A PUT: everything is replaced; a missing name keeps the current one. */
export type LaunchConfigurationReplacement = Omit<LaunchConfigurationInput, 'name'> & { name?: string };

export interface LaunchConfigurationView extends LaunchConfigurationInput {
  id: string;
  owner: string;
}

export interface LaunchConfigurationsServiceDeps {
  db: Db;
  drivers: DriverRegistry;
}

// The owner's name is not read: every query here is restricted to the caller's rows, so the owner is
// the caller (a query per request saved; usernames never change).
const WITH_SITES = { sites: { orderBy: { rank: 'asc' as const } } };

type Row = {
  id: string;
  name: string;
  contextualizationMethod: string;
  userData: string | null;
  chefRunlist: string | null;
  chefAttributes: string | null;
  sites: { siteId: string; imageId: string; instanceType: string; maxVms: number; common: boolean; rank: number }[];
};

function toView(owner: Owner, r: Row): LaunchConfigurationView {
  return {
    id: r.id,
    name: r.name,
    owner: owner.username,
    contextualizationMethod: r.contextualizationMethod as ContextualizationMethod,
    userData: r.userData,
    chefRunlist: r.chefRunlist,
    chefAttributes: r.chefAttributes,
    sites: r.sites.map((s) => ({ siteId: s.siteId, imageId: s.imageId, instanceType: s.instanceType, maxVms: s.maxVms, common: s.common, rank: s.rank })),
  };
}

/** Launch configurations: which image and instance type to run on which sites, in rank order. */
export class LaunchConfigurationsService {
  constructor(private readonly deps: LaunchConfigurationsServiceDeps) {}

  async list(owner: Owner): Promise<LaunchConfigurationView[]> {
    const rows = await this.deps.db.launchConfiguration.findMany({
      where: { userId: owner.userId },
      include: WITH_SITES,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map((r) => toView(owner, r));
  }

  async get(owner: Owner, id: string): Promise<LaunchConfigurationView> {
    requireUuid(id, 'Launch configuration');
    const row = await this.deps.db.launchConfiguration.findFirst({ where: { id, userId: owner.userId }, include: WITH_SITES });
    if (!row) throw new NotFound(`Launch configuration ${id} not found`);
    return toView(owner, row);
  }

  async create(owner: Owner, input: LaunchConfigurationInput): Promise<LaunchConfigurationView> {
    this.checkSites(input.sites);
    await this.assertNameFree(owner, input.name);
    const id = uuidv4();
    try {
      const row = await this.deps.db.launchConfiguration.create({
        data: { id, userId: owner.userId, ...this.columns(input), name: input.name, sites: { create: input.sites } },
        include: WITH_SITES,
      });
      return toView(owner, row);
    } catch (err) {
      throw this.nameConflictOr(err, input.name);
    }
  }

  /** Replaces the configuration, its set of sites included; domains using it see the change. */
  async replace(owner: Owner, id: string, input: LaunchConfigurationReplacement): Promise<LaunchConfigurationView> {
    const current = await this.get(owner, id);
    this.checkSites(input.sites);
    const name = input.name ?? current.name;
    if (name !== current.name) await this.assertNameFree(owner, name);
    try {
      const row = await this.deps.db.$transaction(async (tx) => {
        await tx.launchConfigurationSite.deleteMany({ where: { launchConfigurationId: id } });
        return tx.launchConfiguration.update({
          where: { id },
          data: { ...this.columns(input), name, sites: { create: input.sites } },
          include: WITH_SITES,
        });
      });
      return toView(owner, row);
    } catch (err) {
      throw this.nameConflictOr(err, name);
    }
  }

  /**
   * Refuses while any domain still refers to the configuration: a live one would be left unable to
   * launch (the original's failure storm), and a terminating one still holds a reference until the
   * engine removes it.
   */
  async delete(owner: Owner, id: string): Promise<void> {
    await this.get(owner, id);
    const live = await this.deps.db.domain.findMany({
      where: { launchConfigurationId: id, state: { not: 'terminating' } },
      select: { name: true },
      take: 50,
    });
    if (live.length > 0) {
      throw new Conflict(`Launch configuration ${id} is used by domain(s) ${live.map((d) => d.name).join(', ')}; delete or change them first`);
    }
    // Terminating domains only need their VMs ended: the foreign key sets their reference to NULL.
    await this.deps.db.launchConfiguration.delete({ where: { id } });
  }

  /** Every site must be served here and offer the instance type; all problems are reported at once. */
  private checkSites(sites: LaunchConfigurationSiteInput[]): void {
    const problems: FieldProblem[] = [];
    const known = this.deps.drivers.list().map((s) => s.id);
    for (const s of sites) {
      const site = this.deps.drivers.site(s.siteId);
      if (!site) {
        problems.push({ field: `cloud_params.${s.siteId}`, message: `unknown site ${s.siteId}; known sites: ${known.join(', ')}` });
      } else if (!site.instanceTypes.includes(s.instanceType)) {
        problems.push({
          field: `cloud_params.${s.siteId}.instance_type`,
          message: `${s.instanceType} is not offered by site ${s.siteId}; choose one of ${site.instanceTypes.join(', ')}`,
        });
      }
    }
    if (problems.length > 0) throw new Invalid(`Invalid launch configuration: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);
  }

  private columns(input: Omit<LaunchConfigurationInput, 'name' | 'sites'>) {
    return {
      contextualizationMethod: input.contextualizationMethod,
      userData: input.userData,
      chefRunlist: input.chefRunlist,
      chefAttributes: input.chefAttributes,
    };
  }

  private async assertNameFree(owner: Owner, name: string): Promise<void> {
    const clash = await this.deps.db.launchConfiguration.findFirst({ where: { userId: owner.userId, name }, select: { id: true } });
    if (clash) throw new Conflict(`A launch configuration named ${name} already exists (${clash.id})`);
  }

  private nameConflictOr(err: unknown, name: string): unknown {
    return isUniqueViolation(err) ? new Conflict(`A launch configuration named ${name} already exists`) : err;
  }
}
