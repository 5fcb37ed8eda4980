import type { Db } from '../db/client';
import { Conflict, Invalid, NotFound } from '../errors';
import { generatePassword, hashPassword } from '../lib/passwords';
import type { TokenCache } from './token-cache';

export interface UserSummary {
  id: number;
  username: string;
}

export interface CreatedUser extends UserSummary {
  /** Present only when Phantom generated the password. */
  password?: string;
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

/** Administration of user accounts (used by the CLI; the HTTP API has no user management). */
export class UsersService {
  /** `tokenCache`: this process's cache of authenticated tokens, emptied of a user's tokens when they are revoked. */
  constructor(private readonly deps: { db: Db; tokenCache?: TokenCache }) {}

  async create(username: string, password?: string): Promise<CreatedUser> {
    if (!USERNAME.test(username)) {
      throw new Invalid('username must be 1-64 characters: letters, digits, and _ . @ - (not first)');
    }
    if (password !== undefined && password.length === 0) throw new Invalid('password must not be empty');
    const generated = password === undefined ? generatePassword() : undefined;
    const passwordHash = await hashPassword(password ?? generated!);
    const existing = await this.deps.db.user.findUnique({ where: { username } });
    if (existing) throw new Conflict(`user ${username} already exists`);
    const user = await this.deps.db.user.create({ data: { username, passwordHash } });
    return { id: user.id, username: user.username, ...(generated ? { password: generated } : {}) };
  }

  async list(): Promise<UserSummary[]> {
    return this.deps.db.user.findMany({ select: { id: true, username: true }, orderBy: { id: 'asc' } });
  }

  async delete(username: string): Promise<void> {
    const user = await this.deps.db.user.findUnique({ where: { username }, select: { id: true } });
    const { count } = await this.deps.db.user.deleteMany({ where: { username } });
    if (count === 0) throw new NotFound(`no user named ${username}`);
    // Deleting a user deletes their tokens (cascade); cached ones must go with them.
    if (user) this.deps.tokenCache?.forgetUser(user.id);
  }

  /** Sets a new password and revokes every token the user holds. */
  async setPassword(username: string, password?: string): Promise<CreatedUser> {
    if (password !== undefined && password.length === 0) throw new Invalid('password must not be empty');
    const generated = password === undefined ? generatePassword() : undefined;
    const passwordHash = await hashPassword(password ?? generated!);
    const user = await this.deps.db.user.findUnique({ where: { username } });
    if (!user) throw new NotFound(`no user named ${username}`);
    await this.deps.db.$transaction([
      this.deps.db.user.update({ where: { id: user.id }, data: { passwordHash } }),
      this.deps.db.token.deleteMany({ where: { userId: user.id } }),
    ]);
    this.deps.tokenCache?.forgetUser(user.id);
    return { id: user.id, username, ...(generated ? { password: generated } : {}) };
  }
}
