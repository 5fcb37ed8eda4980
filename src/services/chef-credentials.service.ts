// A user's Chef server credentials, named by the user. The client and validator keys are sealed
// with the SecretBox at rest; domains may refer to a credential, which then cannot be deleted.
import type { Db } from '../db/client';
import { Conflict, NotFound } from '../errors';
import type { SecretBox } from '../lib/secret-box';
import { FOREIGN_KEY_VIOLATION, hasPrismaCode, UNIQUE_VIOLATION } from './prisma-codes';

/** The original's name pattern without its spaces, since ids appear in URLs. */
export const CHEF_ID_PATTERN = /^[-_.0-9A-Za-z]+$/;
export const MAX_CHEF_ID_LENGTH = 64;

export interface ChefCredentialInput {
  serverUrl: string;
  clientName: string;
  validationClientName: string;
  /** PEM private keys, in clear. */
  clientKey: string;
  validatorKey: string;
}

export interface ChefCredential extends ChefCredentialInput {
  /** The user's name for the credential (its `id` on the wire). */
  name: string;
}

export interface ChefCredentialsServiceDeps {
  db: Db;
  secretBox: SecretBox;
}

interface StoredChefCredential extends ChefCredential {
  id: number;
}

export class ChefCredentialsService {
  constructor(private readonly deps: ChefCredentialsServiceDeps) {}

  async list(userId: number): Promise<ChefCredential[]> {
    const rows = await this.deps.db.chefCredential.findMany({ where: { userId }, orderBy: { name: 'asc' } });
    return rows.map((r) => this.open(r));
  }

  async get(userId: number, name: string): Promise<ChefCredential> {
    return this.open(await this.findRow(userId, name));
  }

  async create(userId: number, name: string, input: ChefCredentialInput): Promise<ChefCredential> {
    try {
      await this.deps.db.chefCredential.create({ data: { userId, name, ...this.seal(input) } });
    } catch (err) {
      if (hasPrismaCode(err, UNIQUE_VIOLATION)) {
        throw new Conflict(`Chef credentials ${name} already exist; update them with PUT /api/dev/credentials/chef/${name}`);
      }
      throw err;
    }
    return { name, ...input };
  }

  async update(userId: number, name: string, input: ChefCredentialInput): Promise<ChefCredential> {
    if (!isPossibleName(name)) throw notFound(name);
    const { count } = await this.deps.db.chefCredential.updateMany({ where: { userId, name }, data: this.seal(input) });
    if (count === 0) throw notFound(name);
    return { name, ...input };
  }

  /** Refuses (Conflict, naming them) while domains still use the credential. */
  async delete(userId: number, name: string): Promise<void> {
    const row = await this.findRow(userId, name);
    await this.refuseWhileUsed(row);
    try {
      const { count } = await this.deps.db.chefCredential.deleteMany({ where: { id: row.id } });
      if (count === 0) throw notFound(name);
    } catch (err) {
      // A domain created between the check and the delete: the foreign key restricts it.
      if (hasPrismaCode(err, FOREIGN_KEY_VIOLATION)) await this.refuseWhileUsed(row);
      throw err;
    }
  }

  private async refuseWhileUsed(row: StoredChefCredential): Promise<void> {
    const users = await this.deps.db.domain.findMany({ where: { chefCredentialId: row.id }, select: { name: true }, orderBy: { name: 'asc' } });
    if (users.length > 0) {
      throw new Conflict(`Chef credentials ${row.name} are used by domains ${users.map((d) => d.name).join(', ')}; delete those first`);
    }
  }

  private async findRow(userId: number, name: string): Promise<StoredChefCredential> {
    // A name no credential can have is not looked up: PostgreSQL rejects some strings (NUL) outright.
    if (!isPossibleName(name)) throw notFound(name);
    const row = await this.deps.db.chefCredential.findUnique({ where: { userId_name: { userId, name } } });
    if (!row) throw notFound(name);
    return row;
  }

  private seal(input: ChefCredentialInput): ChefCredentialInput {
    const box = this.deps.secretBox;
    return { ...input, clientKey: box.seal(input.clientKey), validatorKey: box.seal(input.validatorKey) };
  }

  private open(row: StoredChefCredential): ChefCredential {
    const box = this.deps.secretBox;
    return {
      name: row.name,
      serverUrl: row.serverUrl,
      clientName: row.clientName,
      validationClientName: row.validationClientName,
      clientKey: box.open(row.clientKey),
      validatorKey: box.open(row.validatorKey),
    };
  }
}

function isPossibleName(name: string): boolean {
  return name.length <= MAX_CHEF_ID_LENGTH && CHEF_ID_PATTERN.test(name);
}

function notFound(name: string): NotFound {
  return new NotFound(`No chef credentials named ${name}`);
}
