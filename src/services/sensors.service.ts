import type { Db } from '../db/client';
import { Invalid, NotFound } from '../errors';
import { STANDARD_METRICS } from '../sensors/catalog';
import { isUniqueViolation } from './resource-support';

/** What a metric name may look like (OpenTSDB's own rule, capped). */
export const METRIC_NAME = /^[A-Za-z0-9._\-/]{1,128}$/;

/** The sensor catalog: the standard tcollector metrics plus every metric name reported here. */
export class SensorsService {
  private readonly standard = new Set(STANDARD_METRICS);

  constructor(private readonly deps: { db: Db }) {}

  /** Every known metric name, sorted (by code point, so the order is the same on both backends). */
  async list(): Promise<string[]> {
    const reported = await this.deps.db.sensorMetric.findMany({ select: { name: true } });
    const all = new Set([...this.standard, ...reported.map((r) => r.name)]);
    return [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async get(name: string): Promise<string> {
    if (this.standard.has(name)) return name;
    const found = METRIC_NAME.test(name) ? await this.deps.db.sensorMetric.findUnique({ where: { name } }) : null;
    if (!found) throw new NotFound(`Sensor ${name} not found`);
    return found.name;
  }

  /**
   * Adds reported metric names to the catalog (idempotent). Called by whatever ingests metrics; names
   * already in the standard list are not stored again.
   */
  async recordReported(names: string[]): Promise<void> {
    const bad = names.filter((n) => !METRIC_NAME.test(n));
    if (bad.length > 0) throw new Invalid(`Invalid metric name(s): ${bad.join(', ')}`);
    const fresh = [...new Set(names)].filter((n) => !this.standard.has(n));
    for (const name of fresh) {
      try {
        await this.deps.db.sensorMetric.upsert({ where: { name }, create: { name }, update: {} });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err; // a concurrent report stored it first
      }
    }
  }
}
