// The simulated cloud's persistent state: one SimulatedVm row per VM, shared by every replica
// through the database. Only the driver and the sim CLI read it; Phantom's own records never do.
import type { Db } from '../../db/client';
import { RECORDED_STATE, TERMINATED_RETENTION_MS } from './lifecycle';

export interface SimulatedVmRow {
  iaasId: string;
  site: string;
  clientToken: string;
  installation: string | null;
  /** The Phantom tags as JSON. */
  tags: string;
  state: string;
  failsAtBoot: boolean;
  imageId: string;
  instanceType: string;
  keyName: string | null;
  userData: string | null;
  hostname: string;
  privateIp: string;
  publicIp: string;
  createdAt: Date;
  runningAt: Date;
  crashAt: Date | null;
  terminatedAt: Date | null;
  reason: string | null;
}

/** What a listing needs of a VM: everything but the launch's user data and the bookkeeping columns. */
const LISTED_COLUMNS = {
  iaasId: true,
  clientToken: true,
  tags: true,
  failsAtBoot: true,
  imageId: true,
  instanceType: true,
  keyName: true,
  hostname: true,
  privateIp: true,
  publicIp: true,
  createdAt: true,
  runningAt: true,
  crashAt: true,
  terminatedAt: true,
  reason: true,
} as const;

export type ListedVmRow = Pick<SimulatedVmRow, keyof typeof LISTED_COLUMNS>;

/** Expired VMs are deleted at most this often per site: listings skip them anyway (see driver.ts). */
const PURGE_INTERVAL_MS = 60_000;

export class SimulatedStore {
  /** When this process last purged each site (clock ms); the purge scans the site's rows. */
  private readonly purgedAt = new Map<string, number>();

  constructor(private readonly db: Db) {}

  findByToken(site: string, clientToken: string): Promise<SimulatedVmRow | null> {
    return this.db.simulatedVm.findUnique({ where: { site_clientToken: { site, clientToken } } });
  }

  findById(site: string, iaasId: string): Promise<SimulatedVmRow | null> {
    return this.db.simulatedVm.findFirst({ where: { site, iaasId } });
  }

  /** Throws Prisma's P2002 when the (site, clientToken) pair or the id is taken. */
  insert(row: SimulatedVmRow): Promise<SimulatedVmRow> {
    return this.db.simulatedVm.create({ data: row });
  }

  /** The site's VMs (of one installation, if given), oldest first, after dropping expired ones. */
  async list(now: Date, filter: { site?: string; installation?: string } = {}): Promise<SimulatedVmRow[]> {
    await this.purgeExpired(now, filter.site);
    return this.db.simulatedVm.findMany({
      where: { site: filter.site, installation: filter.installation },
      orderBy: [{ createdAt: 'asc' }, { iaasId: 'asc' }],
    });
  }

  /**
   * The driver's listing: one query for only the columns a CloudInstance needs, oldest first. Expired
   * rows may still be among them (the caller drops them); they are purged at most once a minute,
   * since the purge is a write that scans the site and a pass lists every site.
   */
  async listed(now: Date, site: string, installation: string): Promise<ListedVmRow[]> {
    const last = this.purgedAt.get(site);
    if (last === undefined || now.getTime() - last >= PURGE_INTERVAL_MS || now.getTime() < last) {
      await this.purgeExpired(now, site);
      this.purgedAt.set(site, now.getTime());
    }
    return this.db.simulatedVm.findMany({
      where: { site, installation },
      select: LISTED_COLUMNS,
      orderBy: [{ createdAt: 'asc' }, { iaasId: 'asc' }],
    });
  }

  /** VMs at the site that still take capacity: neither terminated nor crashed by `now`. */
  countActive(site: string, now: Date): Promise<number> {
    return this.db.simulatedVm.count({
      where: { site, terminatedAt: null, OR: [{ crashAt: null }, { crashAt: { gt: now } }] },
    });
  }

  /** Records a termination unless one is already recorded (a concurrent terminate wins harmlessly). */
  async markTerminated(site: string, iaasId: string, now: Date, reason: string): Promise<void> {
    await this.db.simulatedVm.updateMany({
      where: { site, iaasId, terminatedAt: null },
      data: { state: RECORDED_STATE.TERMINATED, terminatedAt: now, reason },
    });
  }

  /** The cloud forgets VMs gone longer than the retention, as EC2 stops listing them. */
  private async purgeExpired(now: Date, site: string | undefined): Promise<void> {
    const cutoff = new Date(now.getTime() - TERMINATED_RETENTION_MS);
    await this.db.simulatedVm.deleteMany({
      where: { site, OR: [{ terminatedAt: { lt: cutoff } }, { crashAt: { lt: cutoff } }] },
    });
  }
}
