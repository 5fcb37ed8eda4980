// Prisma's known-request error codes, recognised by shape: the SQLite and PostgreSQL clients are
// generated separately, so `instanceof` against one client's error class misses the other's.

/** A unique constraint failed (a concurrent create of the same key). */
export const UNIQUE_VIOLATION = 'P2002';
/** A foreign key restricts the delete (the row is still referenced). */
export const FOREIGN_KEY_VIOLATION = 'P2003';

/** The row to update or delete no longer exists. */
export const RECORD_NOT_FOUND = 'P2025';

export function hasPrismaCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
