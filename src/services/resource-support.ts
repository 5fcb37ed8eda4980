// Small helpers the launch-configuration, domain and instance services share.
import { validate as isUuid } from 'uuid';
import { NotFound } from '../errors';
import { hasPrismaCode, UNIQUE_VIOLATION } from './prisma-codes';
import type { Principal } from './tokens.service';

/** The caller as these services need it: who owns what they create. */
export type Owner = Pick<Principal, 'userId' | 'username'>;

/**
 * Resource ids are UUIDs; anything else cannot name a resource, so it is a plain 404 (never a 500 from
 * a backend that types the column, never a hint that the id format was wrong).
 */
export function requireUuid(id: string, what: string): void {
  if (!isUuid(id)) throw new NotFound(`${what} ${id} not found`);
}

/** A unique-constraint violation (Prisma P2002), i.e. a concurrent request won a name race. */
export function isUniqueViolation(err: unknown): boolean {
  return hasPrismaCode(err, UNIQUE_VIOLATION);
}

/** Lifecycle codes at which an instance is gone for good: 800 TERMINATED, 900 FAILED, 950 REJECTED. */
export const TERMINAL_LIFECYCLE_STATES = [800, 900, 950];
