// A user's credentials for each site, one per (user, site). The access and secret keys are sealed
// with the SecretBox before they reach the database and opened only for their owner or a driver.
import type { Db } from '../db/client';
import type { SiteCredentials } from '../drivers/cloud-driver';
import type { DriverRegistry } from '../drivers/registry';
import { Conflict, Invalid, NotFound } from '../errors';
import type { Logger } from '../lib/logger';
import type { SecretBox } from '../lib/secret-box';
import { DEFAULT_LOOKUP_TIMEOUT_MS, describeFailure, lookupOr } from './cloud-lookup';
import { hasPrismaCode, UNIQUE_VIOLATION } from './prisma-codes';
import { TERMINAL_LIFECYCLE_STATES } from './resource-support';

/** Credentials for one site, in clear, as their owner sees them. */
export interface SiteCredential extends SiteCredentials {
  siteId: string;
  /** The key pair names the site offers; present only when details were asked for. */
  availableKeys?: string[];
}

export interface SiteCredentialsServiceDeps {
  db: Db;
  drivers: DriverRegistry;
  secretBox: SecretBox;
  logger: Logger;
  /** Bound on each driver query made for `details`; defaults to DEFAULT_LOOKUP_TIMEOUT_MS. */
  lookupTimeoutMs?: number;
}

/**
 * The sites file's id rule (src/sites/sites-file.ts): credentials exist only for such ids, so other
 * ids are not looked up (PostgreSQL rejects some strings, such as ones holding NUL, outright).
 */
const POSSIBLE_SITE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

interface StoredCredential {
  siteId: string;
  accessKey: string;
  secretKey: string;
  keyName: string;
}

export class SiteCredentialsService {
  private readonly lookupTimeoutMs: number;

  constructor(private readonly deps: SiteCredentialsServiceDeps) {
    this.lookupTimeoutMs = deps.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
  }

  /** The sites credentials can be saved for. */
  siteIds(): string[] {
    return this.deps.drivers.list().map((s) => s.id);
  }

  async list(userId: number, opts: { details: boolean }): Promise<SiteCredential[]> {
    const rows = await this.deps.db.siteCredential.findMany({ where: { userId }, orderBy: { siteId: 'asc' } });
    const credentials = rows.map((r) => this.open(r));
    return opts.details ? Promise.all(credentials.map((c) => this.withAvailableKeys(userId, c))) : credentials;
  }

  async get(userId: number, siteId: string, opts: { details: boolean }): Promise<SiteCredential> {
    const row = await this.findRow(userId, siteId);
    if (!row) throw notFound(siteId);
    const credential = this.open(row);
    return opts.details ? this.withAvailableKeys(userId, credential) : credential;
  }

  /** The caller's decrypted credentials for a site, for driver calls; null when they have none. */
  async secretsFor(userId: number, siteId: string): Promise<SiteCredentials | null> {
    const row = await this.findRow(userId, siteId);
    if (!row) return null;
    const { accessKey, secretKey, keyName } = this.open(row);
    return { accessKey, secretKey, keyName };
  }

  /**
   * Every credential of the given users, decrypted, in one query: the engine's batched lookup.
   * `updatedAt` tells the engine when credentials changed (it lifts an AuthFailed block then).
   */
  async secretsForUsers(userIds: number[]): Promise<{ userId: number; siteId: string; secrets: SiteCredentials; updatedAt: Date }[]> {
    if (userIds.length === 0) return [];
    const rows = await this.deps.db.siteCredential.findMany({ where: { userId: { in: [...new Set(userIds)] } } });
    return rows.map((r) => {
      const { accessKey, secretKey, keyName } = this.open(r);
      return { userId: r.userId, siteId: r.siteId, secrets: { accessKey, secretKey, keyName }, updatedAt: r.updatedAt };
    });
  }

  async create(userId: number, siteId: string, secrets: SiteCredentials): Promise<SiteCredential> {
    this.requireKnownSite(siteId);
    try {
      await this.deps.db.siteCredential.create({ data: { userId, siteId, ...this.seal(secrets) } });
    } catch (err) {
      if (hasPrismaCode(err, UNIQUE_VIOLATION)) {
        throw new Conflict(`Credentials for site ${siteId} already exist; update them with PUT /api/dev/credentials/sites/${siteId}`);
      }
      throw err;
    }
    return { siteId, ...secrets };
  }

  async update(userId: number, siteId: string, secrets: SiteCredentials): Promise<SiteCredential> {
    if (!POSSIBLE_SITE_ID.test(siteId)) throw notFound(siteId);
    const { count } = await this.deps.db.siteCredential.updateMany({ where: { userId, siteId }, data: this.seal(secrets) });
    if (count === 0) throw notFound(siteId);
    return { siteId, ...secrets };
  }

  /**
   * Deletes the credentials, unless VMs of the user's still live on that site: without credentials
   * Phantom could no longer terminate them, and they would leak.
   */
  async delete(userId: number, siteId: string): Promise<void> {
    if (!POSSIBLE_SITE_ID.test(siteId)) throw notFound(siteId);
    const live = await this.deps.db.instance.findMany({
      where: { siteId, lifecycleState: { notIn: TERMINAL_LIFECYCLE_STATES }, domain: { userId } },
      select: { domain: { select: { name: true } } },
      distinct: ['domainId'],
      take: 20,
    });
    if (live.length > 0) {
      const names = live.map((i) => i.domain.name).join(', ');
      throw new Conflict(`Credentials for ${siteId} are still needed to manage VMs of domains ${names}; resize or delete those domains first`);
    }
    const { count } = await this.deps.db.siteCredential.deleteMany({ where: { userId, siteId } });
    if (count === 0) throw notFound(siteId);
  }

  private requireKnownSite(siteId: string): void {
    if (this.deps.drivers.site(siteId)) return;
    const message = `${siteId} is not a known site; known sites: ${this.siteIds().join(', ')}`;
    throw new Invalid(message, [{ field: 'id', message }]);
  }

  private async findRow(userId: number, siteId: string): Promise<StoredCredential | null> {
    if (!POSSIBLE_SITE_ID.test(siteId)) return null;
    return this.deps.db.siteCredential.findUnique({ where: { userId_siteId: { userId, siteId } } });
  }

  private seal(secrets: SiteCredentials): SiteCredentials {
    const box = this.deps.secretBox;
    return { accessKey: box.seal(secrets.accessKey), secretKey: box.seal(secrets.secretKey), keyName: secrets.keyName };
  }

  private open(row: StoredCredential): SiteCredential {
    const box = this.deps.secretBox;
    return { siteId: row.siteId, accessKey: box.open(row.accessKey), secretKey: box.open(row.secretKey), keyName: row.keyName };
  }

  private async withAvailableKeys(userId: number, credential: SiteCredential): Promise<SiteCredential> {
    const { siteId, accessKey, secretKey, keyName } = credential;
    const availableKeys = await lookupOr(
      () => this.deps.drivers.driver(siteId).listKeyPairs({ accessKey, secretKey, keyName }),
      [],
      this.lookupTimeoutMs,
      (reason) => this.deps.logger.warn({ userId, siteId, reason: describeFailure(reason) }, 'key pair lookup failed'),
    );
    return { ...credential, availableKeys };
  }
}

function notFound(siteId: string): NotFound {
  return new NotFound(`No credentials for site ${siteId}`);
}
