import type { Db } from '../db/client';
import { NotFound } from '../errors';
import type { SensorData, SensorDataSource } from '../sensors/sensor-data';
import { requireUuid, TERMINAL_LIFECYCLE_STATES, type Owner } from './resource-support';

export interface InstanceView {
  id: string;
  domainId: string;
  siteId: string;
  iaasInstanceId: string | null;
  lifecycleState: number;
  stateReason: string | null;
  hostname: string | null;
  publicIp: string | null;
  privateIp: string | null;
  imageId: string;
  instanceType: string;
  keyname: string | null;
  terminateRequested: boolean;
  sensorData: SensorData;
}

export interface InstancesServiceDeps {
  db: Db;
  sensorData: SensorDataSource;
  /** Called after a termination is asked for, so the engine acts at once (the container wakes it). */
  onChange?: () => void;
}

type InstanceRow = Omit<InstanceView, 'sensorData'>;

const SELECT = {
  id: true,
  domainId: true,
  siteId: true,
  iaasInstanceId: true,
  lifecycleState: true,
  stateReason: true,
  hostname: true,
  publicIp: true,
  privateIp: true,
  imageId: true,
  instanceType: true,
  keyname: true,
  terminateRequested: true,
} as const;

/** A domain's VMs, as the engine records them. The API only reads them and asks for termination. */
export class InstancesService {
  constructor(private readonly deps: InstancesServiceDeps) {}

  async list(owner: Owner, domainId: string): Promise<InstanceView[]> {
    requireUuid(domainId, 'Domain');
    const domain = await this.deps.db.domain.findFirst({ where: { id: domainId, userId: owner.userId }, select: { monitorSensors: true } });
    if (!domain) throw new NotFound(`Domain ${domainId} not found`);
    const rows = await this.deps.db.instance.findMany({ where: { domainId }, select: SELECT, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return this.withSensorData(rows, owner.userId, domain.monitorSensors);
  }

  async get(owner: Owner, domainId: string, instanceId: string): Promise<InstanceView> {
    requireUuid(domainId, 'Domain');
    requireUuid(instanceId, 'Instance');
    const found = await this.deps.db.instance.findFirst({
      where: { id: instanceId, domainId, domain: { userId: owner.userId } },
      select: { ...SELECT, domain: { select: { monitorSensors: true } } },
    });
    if (!found) throw new NotFound(`Instance ${instanceId} not found in domain ${domainId}`);
    const { domain, ...row } = found;
    const [view] = await this.withSensorData([row], owner.userId, domain.monitorSensors);
    return view;
  }

  /**
   * Marks the instance for the engine to terminate. With `adjustPolicy` the domain's policy shrinks
   * by one in the same transaction, so the engine never launches a replacement: multicloud vm_count
   * goes down by one; sensor minimum goes down by one and the maximum is set equal to it (the
   * original's rule); neither below 0. Asking again for an instance already being terminated
   * succeeds without shrinking the policy a second time.
   */
  async terminate(owner: Owner, domainId: string, instanceId: string, adjustPolicy: boolean): Promise<void> {
    await this.deps.db.$transaction(async (tx) => {
      const inst = await this.find(tx, owner, domainId, instanceId);
      const alreadyGoing = inst.terminateRequested || TERMINAL_LIFECYCLE_STATES.includes(inst.lifecycleState);
      if (!inst.terminateRequested) {
        await tx.instance.update({ where: { id: inst.id }, data: { terminateRequested: true } });
      }
      if (!adjustPolicy || alreadyGoing) return;
      const domain = await tx.domain.findUniqueOrThrow({ where: { id: domainId }, select: { deName: true } });
      if (domain.deName === 'multicloud') {
        // Conditional decrement: atomic on both backends, and never below 0.
        await tx.domain.updateMany({ where: { id: domainId, vmCount: { gt: 0 } }, data: { vmCount: { decrement: 1 } } });
        return;
      }
      await tx.domain.updateMany({ where: { id: domainId, sensorMinimumVms: { gt: 0 } }, data: { sensorMinimumVms: { decrement: 1 } } });
      const { sensorMinimumVms } = await tx.domain.findUniqueOrThrow({ where: { id: domainId }, select: { sensorMinimumVms: true } });
      await tx.domain.update({ where: { id: domainId }, data: { sensorMaximumVms: sensorMinimumVms ?? 0 } });
    });
    this.deps.onChange?.();
  }

  private async find(db: Pick<Db, 'instance'>, owner: Owner, domainId: string, instanceId: string): Promise<InstanceRow> {
    requireUuid(domainId, 'Domain');
    requireUuid(instanceId, 'Instance');
    const row = await db.instance.findFirst({ where: { id: instanceId, domainId, domain: { userId: owner.userId } }, select: SELECT });
    if (!row) throw new NotFound(`Instance ${instanceId} not found in domain ${domainId}`);
    return row;
  }

  /** Rows of one domain, whose owner and monitor_sensors the caller has already read. */
  private async withSensorData(rows: InstanceRow[], userId: number, monitorSensors: string): Promise<InstanceView[]> {
    const data = await this.deps.sensorData.forInstances(rows.map((r) => ({ ...r, userId, monitorSensors })));
    return rows.map((r) => ({ ...r, sensorData: data.get(r.id) ?? {} }));
  }
}
