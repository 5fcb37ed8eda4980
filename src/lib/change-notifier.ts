// Tells every engine that the API changed a domain, so it reacts within a second instead of at its
// next tick — including engines in other replicas. In one process an event is enough; on PostgreSQL
// the change also goes out with NOTIFY and every replica LISTENs on one dedicated connection. (SQLite
// serves one process, so the in-process path covers it.)
import { Client } from 'pg';
import type { Logger } from './logger';

const CHANNEL = 'phantom_domain_changes';
/** How long to wait before reconnecting a dropped LISTEN connection. */
const RECONNECT_MS = 2_000;

export interface ChangeNotifier {
  /** Announces a change; never throws (a lost notification only delays the engine to its tick). */
  publish(): void;
  /** Calls `listener` on every change announced here or, on PostgreSQL, by any replica. */
  subscribe(listener: () => void): void;
  close(): Promise<void>;
}

/** Changes seen only inside this process. */
export class LocalChangeNotifier implements ChangeNotifier {
  protected readonly listeners: (() => void)[] = [];

  publish(): void {
    this.emit();
  }

  subscribe(listener: () => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {}

  protected emit(): void {
    for (const l of this.listeners) l();
  }
}

/**
 * Changes shared by every replica on one PostgreSQL. Listening starts with the first subscriber, so
 * API-only replicas (which publish but never subscribe) hold no extra connection.
 */
export class PostgresChangeNotifier extends LocalChangeNotifier {
  private publisher: Client | null = null;
  private listener: Client | null = null;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
  ) {
    super();
  }

  override publish(): void {
    // Listeners in this process hear it at once; NOTIFY reaches the other replicas (and this one
    // again, which only costs a coalesced wake).
    this.emit();
    void this.notify().catch((err: unknown) => {
      this.logger.warn({ error: err instanceof Error ? err.message : String(err) }, 'could not announce a change to other replicas');
      this.publisher?.end().catch(() => undefined);
      this.publisher = null;
    });
  }

  override subscribe(listener: () => void): void {
    super.subscribe(listener);
    if (this.listeners.length === 1) this.listen();
  }

  override async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await Promise.all([this.publisher?.end(), this.listener?.end()].map((p) => p?.catch(() => undefined)));
    this.publisher = null;
    this.listener = null;
  }

  private async notify(): Promise<void> {
    if (this.closed) return;
    if (!this.publisher) {
      const client = new Client({ connectionString: this.url });
      client.on('error', () => undefined); // a dropped connection is replaced at the next publish
      await client.connect();
      this.publisher = client;
    }
    await this.publisher.query(`NOTIFY ${CHANNEL}`);
  }

  private listen(): void {
    if (this.closed) return;
    const client = new Client({ connectionString: this.url });
    const retry = (err: unknown): void => {
      if (this.closed || this.listener !== client) return;
      this.logger.warn({ error: err instanceof Error ? err.message : String(err) }, 'change listener lost; reconnecting');
      this.listener = null;
      client.end().catch(() => undefined);
      this.reconnectTimer = setTimeout(() => this.listen(), RECONNECT_MS);
    };
    this.listener = client;
    client.on('notification', () => this.emit());
    client.on('error', retry);
    client.on('end', () => retry(new Error('connection ended')));
    client
      .connect()
      .then(() => client.query(`LISTEN ${CHANNEL}`))
      .catch(retry);
  }
}
