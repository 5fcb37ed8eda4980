// Recent metric samples in the database (model SensorSample), so every replica sees the same data.
// Writes are batched multi-row inserts; reads fetch a whole window for many series in one query.
import { v7 as uuidv7 } from 'uuid';
import type { DatabaseKind } from '../config';
import type { Db } from '../db/client';

/** The series key of a domain-level series; host keys are the `host` tag as sent. */
export const domainSeriesKey = (domainId: string): string => `domain:${domainId}`;

export interface SampleRow {
  userId: number;
  metric: string;
  seriesKey: string;
  ts: Date;
  value: number;
}

export interface WindowQuery {
  userIds: number[];
  metrics: string[];
  seriesKeys: string[];
  since: Date;
  until: Date;
}

/**
 * Rows per INSERT: 6 bound values each keeps a statement far below SQLite's 32,766 and PostgreSQL's
 * 65,535 parameter limits, and big enough that a 10,000-point request is a handful of statements.
 */
const INSERT_CHUNK = 2000;
/** Series keys per read; same reason. */
const KEY_CHUNK = 2000;
/** Rows per prune statement, so a prune never holds SQLite's single writer for long. */
const PRUNE_CHUNK = 5000;

/**
 * DateTime as Prisma's SQLite adapter writes it (ISO 8601 with "+00:00"), so rows inserted with raw
 * SQL compare and read back exactly like rows Prisma wrote.
 */
const sqliteDateTime = (d: Date): string => d.toISOString().replace('Z', '+00:00');

const INSERT_SQL_HEAD = 'INSERT INTO "SensorSample" ("id", "userId", "metric", "seriesKey", "ts", "value") VALUES ';

export class SampleStore {
  constructor(
    private readonly db: Db,
    private readonly kind: DatabaseKind,
  ) {}

  async insert(rows: SampleRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      if (this.kind === 'sqlite') await this.insertSqlite(chunk);
      else await this.db.sensorSample.createMany({ data: chunk.map((r) => ({ id: uuidv7(), ...r })) });
    }
  }

  /**
   * One multi-row INSERT with bound parameters: on SQLite, createMany's per-row work in Prisma's
   * query compiler made ingestion about 3.5x slower than the statement itself (bench/ingest.mjs).
   */
  private async insertSqlite(chunk: SampleRow[]): Promise<void> {
    const params: (string | number)[] = [];
    for (const r of chunk) params.push(uuidv7(), r.userId, r.metric, r.seriesKey, sqliteDateTime(r.ts), r.value);
    await this.db.$executeRawUnsafe(INSERT_SQL_HEAD + chunk.map(() => '(?, ?, ?, ?, ?, ?)').join(', '), ...params);
  }

  /** Samples of the given users, metrics and series within [since, until], oldest first. */
  async window(q: WindowQuery): Promise<SampleRow[]> {
    if (q.userIds.length === 0 || q.metrics.length === 0 || q.seriesKeys.length === 0) return [];
    const keys = [...new Set(q.seriesKeys)];
    const out: SampleRow[] = [];
    for (let i = 0; i < keys.length; i += KEY_CHUNK) {
      const rows = await this.db.sensorSample.findMany({
        where: {
          userId: { in: [...new Set(q.userIds)] },
          metric: { in: [...new Set(q.metrics)] },
          seriesKey: { in: keys.slice(i, i + KEY_CHUNK) },
          ts: { gte: q.since, lte: q.until },
        },
        select: { userId: true, metric: true, seriesKey: true, ts: true, value: true },
        orderBy: { ts: 'asc' },
      });
      out.push(...rows);
    }
    if (keys.length > KEY_CHUNK) out.sort((a, b) => a.ts.getTime() - b.ts.getTime());
    return out;
  }

  /**
   * Deletes samples older than `before`, at most `maxBatches` chunks per call so a backlog is worked
   * off over several calls instead of one long write. Returns how many rows went.
   */
  async prune(before: Date, maxBatches = 20): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const old = await this.db.sensorSample.findMany({ where: { ts: { lt: before } }, select: { id: true }, take: PRUNE_CHUNK });
      if (old.length === 0) break;
      const { count } = await this.db.sensorSample.deleteMany({ where: { id: { in: old.map((r) => r.id) } } });
      total += count;
      if (old.length < PRUNE_CHUNK) break;
    }
    return total;
  }
}
