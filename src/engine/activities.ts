// The engine's account of what it did to each domain and why. Activities are buffered during a batch
// and written with one insert, so recording them never costs a query per domain.
import type { Db } from '../db/client';

export type ActivityKind =
  | 'launch'
  | 'launch_failed'
  | 'terminate'
  | 'terminate_failed'
  | 'adopt'
  | 'state_change'
  | 'unplaced'
  | 'domain_removed'
  | 'error';

export interface Activity {
  domainId: string;
  kind: ActivityKind;
  cause: string;
  siteId?: string;
  instanceId?: string;
  /** The CloudError class (or error name) of a failure. */
  errorClass?: string;
}

export class ActivityLog {
  private pending: (Activity & { at: Date })[] = [];

  constructor(
    private readonly now: () => Date,
    /** Sees each activity as it is recorded (metrics count launches and failures from these). */
    private readonly onRecord?: (a: Activity) => void,
  ) {}

  record(a: Activity): void {
    this.pending.push({ ...a, at: this.now() });
    this.onRecord?.(a);
  }

  /** Writes what was recorded since the last flush. */
  async flush(db: Db): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending.map((a) => ({
      domainId: a.domainId,
      at: a.at,
      kind: a.kind,
      cause: a.cause.slice(0, 2000),
      siteId: a.siteId ?? null,
      instanceId: a.instanceId ?? null,
      errorClass: a.errorClass ?? null,
    }));
    this.pending = [];
    await db.domainActivity.createMany({ data: rows });
  }
}
