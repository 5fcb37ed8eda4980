import { v4 as uuidv4 } from 'uuid';
import type { Db } from '../db/client';
import { Conflict, Invalid, NotFound, type FieldProblem } from '../errors';
import type { SensorData, SensorDataSource } from '../sensors/sensor-data';
import { isUniqueViolation, requireUuid, TERMINAL_LIFECYCLE_STATES, type Owner } from './resource-support';

export type DomainState = 'active' | 'terminating';

export type DomainPolicy =
  | { deName: 'multicloud'; vmCount: number }
  | {
      deName: 'sensor';
      minimumVms: number;
      maximumVms: number;
      metric: string;
      scaleUpThreshold: number;
      scaleDownThreshold: number;
      scaleUpVms: number;
      scaleDownVms: number;
      cooldownSeconds: number;
    };

/** A domain as a client describes it, shape-checked at the edge (counts, thresholds, min ≤ max). */
export interface DomainInput {
  name: string;
  lcName: string;
  /** Comma-separated metric names ("" for none). */
  monitorSensors: string;
  monitorDomainSensors: string;
  /** The name of one of the caller's chef credentials, or null to let Phantom choose. */
  chefCredential: string | null;
  policy: DomainPolicy;
}

export interface DomainView {
  id: string;
  name: string;
  state: DomainState;
  owner: string;
  /** Null only for a terminating domain whose launch configuration has since been deleted. */
  launchConfiguration: { id: string; name: string } | null;
  monitorSensors: string;
  monitorDomainSensors: string;
  chefCredential: string | null;
  policy: DomainPolicy;
  sensorData: SensorData;
  /** Demand no site could take at the engine's last decision, and why (null when none). */
  unplacedVms: number;
  unplacedReason: string | null;
}

export interface DomainsServiceDeps {
  db: Db;
  sensorData: SensorDataSource;
  /** Called after every change the engine should act on at once (the container wakes the engine). */
  onChange?: () => void;
}

/**
 * A domain as responses show it, with its launch configuration's name and its chef credential's name
 * joined in: one hand-written query instead of Prisma's four (the domain, then each relation). The
 * columns are text, integers and floats only, which both backends return as the same JS values.
 */
interface DomainRow {
  id: string;
  userId: number;
  name: string;
  state: string;
  deName: string;
  monitorSensors: string;
  monitorDomainSensors: string;
  vmCount: number | null;
  sensorMinimumVms: number | null;
  sensorMaximumVms: number | null;
  sensorMetric: string | null;
  sensorScaleUpThreshold: number | null;
  sensorScaleDownThreshold: number | null;
  sensorScaleUpVms: number | null;
  sensorScaleDownVms: number | null;
  sensorCooldown: number | null;
  unplacedVms: number;
  unplacedReason: string | null;
  /** NULL once a terminating domain's launch configuration was deleted. */
  lcId: string | null;
  lcName: string | null;
  chefCredentialName: string | null;
}

function policyOf(r: DomainRow): DomainPolicy {
  if (r.deName === 'multicloud') return { deName: 'multicloud', vmCount: r.vmCount ?? 0 };
  return {
    deName: 'sensor',
    minimumVms: r.sensorMinimumVms ?? 0,
    maximumVms: r.sensorMaximumVms ?? 0,
    metric: r.sensorMetric ?? '',
    scaleUpThreshold: r.sensorScaleUpThreshold ?? 0,
    scaleDownThreshold: r.sensorScaleDownThreshold ?? 0,
    scaleUpVms: r.sensorScaleUpVms ?? 0,
    scaleDownVms: r.sensorScaleDownVms ?? 0,
    cooldownSeconds: r.sensorCooldown ?? 0,
  };
}

/** The policy's columns; the other de_name's columns are cleared so a de_name switch leaves no residue. */
function policyColumns(p: DomainPolicy) {
  const sensor = p.deName === 'sensor' ? p : null;
  return {
    deName: p.deName,
    vmCount: p.deName === 'multicloud' ? p.vmCount : null,
    sensorMinimumVms: sensor?.minimumVms ?? null,
    sensorMaximumVms: sensor?.maximumVms ?? null,
    sensorMetric: sensor?.metric ?? null,
    sensorScaleUpThreshold: sensor?.scaleUpThreshold ?? null,
    sensorScaleDownThreshold: sensor?.scaleDownThreshold ?? null,
    sensorScaleUpVms: sensor?.scaleUpVms ?? null,
    sensorScaleDownVms: sensor?.scaleDownVms ?? null,
    sensorCooldown: sensor?.cooldownSeconds ?? null,
  };
}

/**
 * Domains: a launch configuration kept at a size by a policy. This service stores what the engine
 * acts on; the engine (a separate component) launches and terminates the VMs and removes terminating
 * domains once their instances are gone.
 */
export class DomainsService {
  constructor(private readonly deps: DomainsServiceDeps) {}

  async list(owner: Owner): Promise<DomainView[]> {
    // The same columns and joins as find(); Prisma's tagged template needs the whole text in one literal.
    const rows = await this.deps.db.$queryRaw<DomainRow[]>`
      SELECT d."id", d."userId", d."name", d."state", d."deName", d."monitorSensors", d."monitorDomainSensors",
        d."vmCount", d."sensorMinimumVms", d."sensorMaximumVms", d."sensorMetric", d."sensorScaleUpThreshold",
        d."sensorScaleDownThreshold", d."sensorScaleUpVms", d."sensorScaleDownVms", d."sensorCooldown",
        d."unplacedVms", d."unplacedReason", lc."id" AS "lcId", lc."name" AS "lcName", cc."name" AS "chefCredentialName"
      FROM "Domain" d
      LEFT JOIN "LaunchConfiguration" lc ON lc."id" = d."launchConfigurationId"
      LEFT JOIN "ChefCredential" cc ON cc."id" = d."chefCredentialId"
      WHERE d."userId" = ${owner.userId}
      ORDER BY d."createdAt" ASC, d."id" ASC`;
    const data = await this.deps.sensorData.forDomains(rows);
    return rows.map((r) => this.toView(owner, r, data.get(r.id)));
  }

  async get(owner: Owner, id: string): Promise<DomainView> {
    const row = await this.find(owner, id);
    const data = await this.deps.sensorData.forDomains([row]);
    return this.toView(owner, row, data.get(id));
  }

  async create(owner: Owner, input: DomainInput): Promise<DomainView> {
    const refs = await this.resolveReferences(owner, input);
    await this.assertNameFree(owner, input.name, null);
    const id = uuidv4();
    try {
      await this.deps.db.domain.create({
        data: {
          id,
          userId: owner.userId,
          name: input.name,
          activeName: input.name,
          state: 'active',
          launchConfigurationId: refs.launchConfigurationId,
          chefCredentialId: refs.chefCredentialId,
          monitorSensors: input.monitorSensors,
          monitorDomainSensors: input.monitorDomainSensors,
          ...policyColumns(input.policy),
        },
      });
    } catch (err) {
      throw this.nameConflictOr(err, input.name);
    }
    this.deps.onChange?.();
    return this.get(owner, id);
  }

  /** Replaces the domain's settings; a terminating domain can no longer change (409). */
  async replace(owner: Owner, id: string, input: DomainInput): Promise<DomainView> {
    const current = await this.find(owner, id);
    if (current.state === 'terminating') throw new Conflict(`Domain ${id} is terminating and can no longer be changed`);
    const refs = await this.resolveReferences(owner, input);
    if (input.name !== current.name) await this.assertNameFree(owner, input.name, id);
    try {
      // The state condition makes a DELETE that slipped in since the read win over this update.
      const { count } = await this.deps.db.domain.updateMany({
        where: { id, userId: owner.userId, state: 'active' },
        data: {
          name: input.name,
          activeName: input.name,
          launchConfigurationId: refs.launchConfigurationId,
          chefCredentialId: refs.chefCredentialId,
          monitorSensors: input.monitorSensors,
          monitorDomainSensors: input.monitorDomainSensors,
          ...policyColumns(input.policy),
        },
      });
      if (count === 0) throw new Conflict(`Domain ${id} is terminating and can no longer be changed`);
    } catch (err) {
      throw this.nameConflictOr(err, input.name);
    }
    this.deps.onChange?.();
    return this.get(owner, id);
  }

  /**
   * Starts termination: the domain frees its name, every instance not yet gone is marked for the
   * engine to terminate, and a domain with nothing left to terminate is removed at once. Deleting a
   * domain that is already terminating succeeds and changes nothing.
   */
  async delete(owner: Owner, id: string): Promise<void> {
    requireUuid(id, 'Domain');
    await this.deps.db.$transaction(async (tx) => {
      const found = await tx.domain.findFirst({ where: { id, userId: owner.userId }, select: { id: true } });
      if (!found) throw new NotFound(`Domain ${id} not found`);
      await tx.domain.update({ where: { id }, data: { state: 'terminating', activeName: null } });
      const notGone = { domainId: id, lifecycleState: { notIn: TERMINAL_LIFECYCLE_STATES } };
      await tx.instance.updateMany({ where: notGone, data: { terminateRequested: true } });
      if ((await tx.instance.count({ where: notGone })) === 0) await tx.domain.delete({ where: { id } });
    });
    this.deps.onChange?.();
  }

  private async find(owner: Owner, id: string): Promise<DomainRow> {
    requireUuid(id, 'Domain');
    const [row] = await this.deps.db.$queryRaw<DomainRow[]>`
      SELECT d."id", d."userId", d."name", d."state", d."deName", d."monitorSensors", d."monitorDomainSensors",
        d."vmCount", d."sensorMinimumVms", d."sensorMaximumVms", d."sensorMetric", d."sensorScaleUpThreshold",
        d."sensorScaleDownThreshold", d."sensorScaleUpVms", d."sensorScaleDownVms", d."sensorCooldown",
        d."unplacedVms", d."unplacedReason", lc."id" AS "lcId", lc."name" AS "lcName", cc."name" AS "chefCredentialName"
      FROM "Domain" d
      LEFT JOIN "LaunchConfiguration" lc ON lc."id" = d."launchConfigurationId"
      LEFT JOIN "ChefCredential" cc ON cc."id" = d."chefCredentialId"
      WHERE d."id" = ${id} AND d."userId" = ${owner.userId}`;
    if (!row) throw new NotFound(`Domain ${id} not found`);
    return row;
  }

  /** The owner is the caller: every query above is restricted to the caller's domains. */
  private toView(owner: Owner, r: DomainRow, sensorData: SensorData | undefined): DomainView {
    return {
      id: r.id,
      name: r.name,
      state: r.state === 'terminating' ? 'terminating' : 'active',
      owner: owner.username,
      launchConfiguration: r.lcId !== null && r.lcName !== null ? { id: r.lcId, name: r.lcName } : null,
      monitorSensors: r.monitorSensors,
      monitorDomainSensors: r.monitorDomainSensors,
      chefCredential: r.chefCredentialName,
      policy: policyOf(r),
      sensorData: sensorData ?? {},
      unplacedVms: r.unplacedVms,
      unplacedReason: r.unplacedReason,
    };
  }

  /** The caller's launch configuration and chef credential the input names; all problems at once. */
  private async resolveReferences(owner: Owner, input: DomainInput): Promise<{ launchConfigurationId: string; chefCredentialId: number | null }> {
    const problems: FieldProblem[] = [];
    const lc = await this.deps.db.launchConfiguration.findFirst({
      where: { userId: owner.userId, name: input.lcName },
      select: { id: true, contextualizationMethod: true },
    });
    if (!lc) problems.push({ field: 'lc_name', message: `no launch configuration named ${input.lcName}` });
    const chef = await this.resolveChefCredential(owner, input.chefCredential, lc?.contextualizationMethod === 'chef');
    if (chef.problem) problems.push(chef.problem);
    if (problems.length > 0 || !lc) {
      throw new Invalid(`Invalid domain: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);
    }
    return { launchConfigurationId: lc.id, chefCredentialId: chef.id };
  }

  /**
   * A named credential must be the caller's. Unnamed, a chef launch configuration needs exactly one
   * candidate: the caller's only chef credential is chosen and stored, so adding a second one later
   * does not make the domain ambiguous.
   */
  private async resolveChefCredential(owner: Owner, name: string | null, needsChef: boolean): Promise<{ id: number | null; problem?: FieldProblem }> {
    const field = 'chef_credential';
    if (name !== null) {
      const found = await this.deps.db.chefCredential.findFirst({ where: { userId: owner.userId, name }, select: { id: true } });
      return found ? { id: found.id } : { id: null, problem: { field, message: `no chef credential named ${name}` } };
    }
    if (!needsChef) return { id: null };
    const mine = await this.deps.db.chefCredential.findMany({ where: { userId: owner.userId }, select: { id: true }, take: 2 });
    if (mine.length === 1) return { id: mine[0].id };
    const message =
      mine.length === 0
        ? 'the launch configuration uses chef: add a chef credential (POST /api/dev/credentials/chef) first'
        : 'required: the launch configuration uses chef and you have several chef credentials';
    return { id: null, problem: { field, message } };
  }

  private async assertNameFree(owner: Owner, name: string, exceptId: string | null): Promise<void> {
    const clash = await this.deps.db.domain.findFirst({
      where: { userId: owner.userId, activeName: name, ...(exceptId ? { NOT: { id: exceptId } } : {}) },
      select: { id: true },
    });
    if (clash) throw new Conflict(`A domain named ${name} already exists (${clash.id})`);
  }

  private nameConflictOr(err: unknown, name: string): unknown {
    return isUniqueViolation(err) ? new Conflict(`A domain named ${name} already exists`) : err;
  }
}
