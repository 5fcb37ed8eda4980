// Stores what agents push through the OpenTSDB-compatible `POST /api/put`. Points are kept under the
// caller's user id and their host tag as sent (instances are matched when data is read, so a VM that
// reports before its hostname is known is matched later); domain-tagged points are resolved to one
// of the caller's domains now, since a domain name may later be reused.
import { validate as isUuid } from 'uuid';
import type { Db } from '../db/client';
import type { Clock } from '../lib/clock';
import type { Owner } from '../services/resource-support';
import type { SensorsService } from '../services/sensors.service';
import { checkPoint, type ParsedPoint } from './opentsdb-points';
import { domainSeriesKey, type SampleRow, type SampleStore } from './sample-store';

export interface PointError {
  /** The point as it was sent. */
  datapoint: unknown;
  error: string;
}

export interface PutResult {
  success: number;
  failed: number;
  errors: PointError[];
}

export interface SensorIngestDeps {
  db: Db;
  store: SampleStore;
  catalog: SensorsService;
  clock: Clock;
  retentionSeconds: number;
  /** Told how many points each put stored and rejected (the Prometheus metrics). */
  onIngested?: (stored: number, rejected: number) => void;
  /**
   * Told, once the points are stored, whose points arrived and for which metrics (the container wakes
   * the engine with it, so a threshold breach is acted on at once rather than at the next tick).
   */
  onIngest?: (userId: number, metrics: ReadonlySet<string>) => void;
}

/** Metric names already in the catalog; bounded so a stream of one-off names cannot grow memory. */
const KNOWN_NAMES_CAP = 10_000;

export class SensorIngestService {
  private readonly knownNames = new Set<string>();

  constructor(private readonly deps: SensorIngestDeps) {}

  /** Stores every good point of `raw` and reports each bad one; never throws for a bad point. */
  async put(owner: Owner, raw: unknown[]): Promise<PutResult> {
    const nowMs = this.deps.clock.now().getTime();
    const oldestMs = nowMs - this.deps.retentionSeconds * 1000;
    // Errors are reported in request order, whichever check found them.
    const errors: (PointError & { index: number })[] = [];
    const good: { index: number; point: ParsedPoint }[] = [];
    raw.forEach((r, index) => {
      const checked = checkPoint(r, nowMs, oldestMs);
      if (checked.ok) good.push({ index, point: checked.point });
      else errors.push({ index, datapoint: r, error: checked.error });
    });
    const domains = await this.resolveDomains(owner, good.map((g) => g.point));
    const rows: SampleRow[] = [];
    for (const { index, point } of good) {
      const seriesKey = this.seriesKey(point, domains);
      if (seriesKey === null) {
        errors.push({ index, datapoint: raw[index], error: `Unknown domain "${point.target.kind === 'domain' ? point.target.domain : ''}"` });
        continue;
      }
      rows.push({ userId: owner.userId, metric: point.metric, seriesKey, ts: new Date(point.tsMs), value: point.value });
    }
    await this.deps.store.insert(rows);
    await this.recordNames(rows.map((r) => r.metric));
    errors.sort((a, b) => a.index - b.index);
    this.deps.onIngested?.(rows.length, errors.length);
    if (rows.length > 0) this.deps.onIngest?.(owner.userId, new Set(rows.map((r) => r.metric)));
    return { success: rows.length, failed: errors.length, errors: errors.map(({ datapoint, error }) => ({ datapoint, error })) };
  }

  private seriesKey(point: ParsedPoint, domains: Map<string, string>): string | null {
    if (point.target.kind === 'host') return point.target.host;
    const id = domains.get(point.target.domain);
    return id === undefined ? null : domainSeriesKey(id);
  }

  /** Domain tag (id or active name) → id, for the caller's domains only: one query per request. */
  private async resolveDomains(owner: Owner, points: ParsedPoint[]): Promise<Map<string, string>> {
    const refs = new Set<string>();
    for (const p of points) if (p.target.kind === 'domain') refs.add(p.target.domain);
    const out = new Map<string, string>();
    if (refs.size === 0) return out;
    const ids = [...refs].filter((r) => isUuid(r));
    const rows = await this.deps.db.domain.findMany({
      where: { userId: owner.userId, OR: [{ id: { in: ids } }, { activeName: { in: [...refs] } }] },
      select: { id: true, activeName: true },
    });
    // An id wins over a name that happens to look like another domain's id.
    for (const r of rows) if (r.activeName !== null && refs.has(r.activeName)) out.set(r.activeName, r.id);
    for (const r of rows) if (refs.has(r.id)) out.set(r.id, r.id);
    return out;
  }

  /** Adds unseen metric names to the catalog; the in-memory set spares a write per point. */
  private async recordNames(names: string[]): Promise<void> {
    const fresh = [...new Set(names)].filter((n) => !this.knownNames.has(n));
    if (fresh.length === 0) return;
    await this.deps.catalog.recordReported(fresh);
    if (this.knownNames.size + fresh.length > KNOWN_NAMES_CAP) this.knownNames.clear();
    for (const n of fresh) this.knownNames.add(n);
  }
}
