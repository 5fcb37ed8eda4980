// Restart safety, at start and periodically: every site is listed, with every credential stored for
// it, for VMs tagged with this installation. A VM whose client token matches a REQUESTING record is
// adopted; a live VM whose record is final (a launch marked failed that went through after all) is
// terminated; a VM no record knows is terminated once older than the grace period (younger ones may
// belong to a launch whose record is about to be read). Records whose VM is gone are marked by the
// per-domain refresh (refresh.ts).
import type { CloudInstance } from '../drivers/cloud-driver';
import type { PassContext } from './context';
import { forEachLimited } from './context';
import { INSTANCE_SELECT, type InstanceRecord } from './records';
import { applyChange, isTerminal, observedChange, S, vmAlive } from './transitions';

interface Found {
  siteId: string;
  userId: number;
  vm: CloudInstance;
}

export interface SweepReport {
  adopted: number;
  terminated: number;
}

export async function sweep(ctx: PassContext, userIds: number[]): Promise<SweepReport> {
  const found = await listEverything(ctx, userIds);
  const tokens = [...new Set(found.map((f) => f.vm.clientToken).filter((t): t is string => !!t))];
  const records = new Map<string, InstanceRecord>();
  for (let i = 0; i < tokens.length; i += 500) {
    const rows = await ctx.db.instance.findMany({ where: { clientToken: { in: tokens.slice(i, i + 500) } }, select: INSTANCE_SELECT });
    for (const r of rows) records.set(r.clientToken, r);
  }
  const report: SweepReport = { adopted: 0, terminated: 0 };
  for (const f of found) {
    const row = f.vm.clientToken ? records.get(f.vm.clientToken) : undefined;
    if (row && row.siteId === f.siteId) {
      if (row.lifecycleState === S.REQUESTING && !row.iaasInstanceId) {
        const change = observedChange(row, f.vm, ctx.now);
        if (change && (await applyChange(ctx.db, row, change, ctx.now))) {
          report.adopted++;
          ctx.activities.record({ domainId: row.domainId, kind: 'adopt', siteId: f.siteId, instanceId: row.id, cause: `adopted VM ${f.vm.iaasId}, launched before a restart` });
        }
      } else if (isTerminal(row.lifecycleState) && vmAlive(f.vm) && (await kill(ctx, f))) {
        report.terminated++;
        ctx.activities.record({ domainId: row.domainId, kind: 'terminate', siteId: f.siteId, instanceId: row.id, cause: `VM ${f.vm.iaasId} alive although its record is final` });
      }
      continue;
    }
    if (!vmAlive(f.vm) || youngerThanGrace(ctx, f.vm)) continue;
    if (await kill(ctx, f)) {
      report.terminated++;
      ctx.logger.warn({ site: f.siteId, iaasId: f.vm.iaasId }, 'terminated an untracked VM tagged with this installation');
      if (f.vm.tags.domainId) ctx.activities.record({ domainId: f.vm.tags.domainId, kind: 'terminate', siteId: f.siteId, cause: `untracked VM ${f.vm.iaasId} (no Phantom record)` });
    }
  }
  return report;
}

async function listEverything(ctx: PassContext, userIds: number[]): Promise<Found[]> {
  const pairs: { siteId: string; userId: number }[] = [];
  for (const site of ctx.drivers.list()) {
    for (const userId of userIds) if (ctx.credentials.get(userId, site.id)) pairs.push({ siteId: site.id, userId });
  }
  const found: Found[] = [];
  await forEachLimited(pairs, 8, async ({ siteId, userId }) => {
    const creds = ctx.credentials.get(userId, siteId);
    const listing = creds ? await ctx.listings.get(siteId, userId, creds.secrets) : null;
    for (const vm of listing?.vms ?? []) if (vm.tags.installation === ctx.installationId) found.push({ siteId, userId, vm });
  });
  return found;
}

function youngerThanGrace(ctx: PassContext, vm: CloudInstance): boolean {
  const launched = vm.launchedAt?.getTime();
  return launched === undefined || ctx.now.getTime() - launched < ctx.settings.orphanGraceSeconds * 1000;
}

async function kill(ctx: PassContext, f: Found): Promise<boolean> {
  const creds = ctx.credentials.get(f.userId, f.siteId);
  if (!creds) return false;
  try {
    await ctx.drivers.driver(f.siteId).terminate(creds.secrets, f.vm.iaasId);
    return true;
  } catch (err) {
    ctx.logger.warn({ site: f.siteId, iaasId: f.vm.iaasId, error: err instanceof Error ? err.message : String(err) }, 'could not terminate a VM during the sweep');
    return false;
  }
}
