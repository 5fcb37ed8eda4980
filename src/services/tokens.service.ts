import { timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/client';
import { TooManyRequests, Unauthorized } from '../errors';
import type { Clock } from '../lib/clock';
import { DUMMY_HASH_PROMISE, verifyPassword } from '../lib/passwords';
import { generateToken, hashToken } from '../lib/tokens';
import type { LoginThrottle } from './login-throttle';
import type { TokenCache } from './token-cache';

/** The authenticated caller, attached to every request past authentication. */
export interface Principal {
  userId: number;
  username: string;
  tokenHash: string;
}

export interface IssuedToken {
  token: string;
  user: number;
}

export interface TokensServiceDeps {
  db: Db;
  clock: Clock;
  /** Failed logins are counted per username and, with a higher limit, per client address. */
  throttles: { byUser: LoginThrottle; byAddress: LoginThrottle };
  ttlSeconds: number;
  maxTokensPerUser: number;
  /** Recent successful lookups; shared with UsersService, which revokes tokens on a password change. */
  cache?: TokenCache;
}

export class TokensService {
  constructor(private readonly deps: TokensServiceDeps) {}

  /** Exchanges a username and password for a new token. */
  async login(username: string, password: string, clientAddress: string): Promise<IssuedToken> {
    const { db, throttles, clock } = this.deps;
    const wait = Math.max(throttles.byUser.retryAfter(username), throttles.byAddress.retryAfter(clientAddress));
    if (wait > 0) throw new TooManyRequests('too many failed logins; try again later', wait);

    const user = await db.user.findUnique({ where: { username } });
    // Verify against a dummy hash for unknown users so response time does not reveal which exist.
    const ok = await verifyPassword(password, user?.passwordHash ?? (await DUMMY_HASH_PROMISE));
    if (!user || !ok) {
      throttles.byUser.recordFailure(username);
      throttles.byAddress.recordFailure(clientAddress);
      throw new Unauthorized('Unable to log you in: wrong username or password');
    }
    throttles.byUser.reset(username);

    const token = generateToken();
    const expiresAt = this.deps.ttlSeconds > 0 ? new Date(clock.now().getTime() + this.deps.ttlSeconds * 1000) : null;
    await db.token.create({ data: { userId: user.id, username: user.username, tokenHash: hashToken(token), expiresAt } });
    await this.pruneTokens(user.id);
    return { token, user: user.id };
  }

  /**
   * Checks a user id and token: one indexed query, no password hash, or none when the token was
   * found recently (the cache). Returns null when they do not match a live token.
   */
  async authenticate(userId: string, token: string): Promise<Principal | null> {
    if (!/^\d{1,10}$/.test(userId) || token.length === 0 || token.length > 512) return null;
    const tokenHash = hashToken(token);
    const cache = this.deps.cache;
    // The key is the hash of the whole token, so a hit is the same token; the owner is still checked.
    const cached = cache?.get(tokenHash);
    if (cached) return cached.userId === Number(userId) ? cached : null;
    const epoch = cache?.epoch ?? 0;
    const row = await this.deps.db.token.findUnique({
      where: { tokenHash },
      select: { tokenHash: true, userId: true, username: true, expiresAt: true },
    });
    if (!row) return null;
    // The lookup was by hash; compare it again in constant time and check the owner and expiry.
    const same = timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(tokenHash));
    if (!same || row.userId !== Number(userId)) return null;
    if (row.expiresAt && row.expiresAt.getTime() <= this.deps.clock.now().getTime()) return null;
    const principal = { userId: row.userId, username: row.username, tokenHash };
    cache?.put(principal, row.expiresAt, epoch);
    return principal;
  }

  /** Revokes the caller's current token, or all of the caller's tokens. */
  async revoke(principal: Principal, all: boolean): Promise<number> {
    const where = all ? { userId: principal.userId } : { tokenHash: principal.tokenHash };
    const { count } = await this.deps.db.token.deleteMany({ where });
    // After the delete, so a lookup racing with it cannot cache the row again (see TokenCache.epoch).
    if (all) this.deps.cache?.forgetUser(principal.userId);
    else this.deps.cache?.forgetTokens([principal.tokenHash]);
    return count;
  }

  /** Keeps the newest `maxTokensPerUser` tokens, so repeated logins cannot grow the table without bound. */
  private async pruneTokens(userId: number): Promise<void> {
    const stale = await this.deps.db.token.findMany({
      where: { userId },
      orderBy: { id: 'desc' },
      skip: this.deps.maxTokensPerUser,
      select: { id: true, tokenHash: true },
    });
    if (stale.length > 0) {
      await this.deps.db.token.deleteMany({ where: { id: { in: stale.map((t) => t.id) } } });
      this.deps.cache?.forgetTokens(stale.map((t) => t.tokenHash));
    }
  }
}
