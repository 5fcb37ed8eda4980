// This Phantom installation's stable id: the `installation` tag on every VM it creates, so VMs of
// other installations sharing a cloud account are never touched. Created on first use and kept in
// the database, so every replica and every restart uses the same one.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client';
import { hasPrismaCode, UNIQUE_VIOLATION } from './prisma-codes';

const KEY = 'installation_id';

export async function ensureInstallationId(db: Db): Promise<string> {
  const found = await db.setting.findUnique({ where: { key: KEY } });
  if (found) return found.value;
  try {
    const created = await db.setting.create({ data: { key: KEY, value: randomUUID() } });
    return created.value;
  } catch (err) {
    // Another replica starting at the same moment created it first: theirs is the id.
    if (!hasPrismaCode(err, UNIQUE_VIOLATION)) throw err;
    const winner = await db.setting.findUniqueOrThrow({ where: { key: KEY } });
    return winner.value;
  }
}
