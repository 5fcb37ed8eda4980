// Terminal instance records leave the listings after the retention period; activities after theirs.
// Two statements per pass whatever the number of domains.
import type { PassContext } from './context';

const TERMINAL = [800, 900, 950];

export async function pruneOld(ctx: PassContext): Promise<void> {
  const { db, settings, now } = ctx;
  const recordCutoff = new Date(now.getTime() - settings.terminalRetentionSeconds * 1000);
  await db.instance.deleteMany({
    where: {
      lifecycleState: { in: TERMINAL },
      OR: [{ stateChangedAt: { lt: recordCutoff } }, { stateChangedAt: null, updatedAt: { lt: recordCutoff } }],
    },
  });
  const activityCutoff = new Date(now.getTime() - settings.activityRetentionDays * 86_400_000);
  await db.domainActivity.deleteMany({ where: { at: { lt: activityCutoff } } });
}
