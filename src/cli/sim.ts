// `phantom sim instances [--site ID]`: what the simulated cloud holds, read straight from its own
// store (every installation's VMs), independently of Phantom's records of them.
import { parseArgs } from 'node:util';
import type { Config } from '../config';
import { createDb } from '../db/client';
import { migrate } from '../db/migrator';
import { lifecycleLabel } from '../drivers/cloud-driver';
import { parseTags } from '../drivers/simulated/instance-view';
import { expired, observe } from '../drivers/simulated/lifecycle';
import { SimulatedStore, type SimulatedVmRow } from '../drivers/simulated/store';
import { systemClock, type Clock } from '../lib/clock';
import { UsageError } from './usage-error';

/** The CLI's view of one simulated VM. */
function simVmView(row: SimulatedVmRow, now: Date): Record<string, unknown> {
  const seen = observe(row, now);
  return {
    site: row.site,
    iaas_id: row.iaasId,
    state: lifecycleLabel(seen.state),
    state_reason: seen.reason ?? null,
    tags: parseTags(row.tags),
    client_token: row.clientToken,
    image_id: row.imageId,
    instance_type: row.instanceType,
    key_name: row.keyName,
    hostname: row.hostname,
    private_ip: row.privateIp,
    public_ip: row.publicIp,
    launched_at: row.createdAt.toISOString(),
    gone_at: seen.goneAt?.toISOString() ?? null,
  };
}

export async function simInstances(config: Config, site: string | undefined, clock: Clock = systemClock): Promise<Record<string, unknown>[]> {
  await migrate(config.database.kind, config.database.url);
  const db = await createDb(config.database.kind, config.database.url);
  try {
    const now = clock.now();
    const rows = await new SimulatedStore(db).list(now, { site });
    return rows.filter((r) => !expired(observe(r, now), now)).map((r) => simVmView(r, now));
  } finally {
    await db.$disconnect();
  }
}

export async function simCommand(config: Config, args: string[]): Promise<unknown> {
  const { values, positionals } = parseArgs({ args, options: { site: { type: 'string' } }, allowPositionals: true });
  const [sub, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
  if (sub !== 'instances') throw new UsageError(sub ? `unknown sim command: ${sub}` : 'sim needs a command: instances');
  return simInstances(config, values.site);
}
