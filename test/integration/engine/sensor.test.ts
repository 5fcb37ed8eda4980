import type { SensorReadings } from '../../../src/policies';
import type { ReadingRequest, SensorReadingsSource } from '../../../src/engine/readings';
import { createLaunchConfiguration, engineWorld, healthyRecords, passes, type EngineWorld } from '../../helpers/engine';
import { unique } from '../../helpers/resource-fixtures';

/** Every instance of every sensor domain reports `load`. */
class FixedLoad implements SensorReadingsSource {
  load: number | null = null;
  async read(requests: ReadingRequest[]): Promise<Map<string, SensorReadings>> {
    const out = new Map<string, SensorReadings>();
    for (const r of requests) {
      const load = this.load;
      out.set(r.domainId, { instanceAverages: load === null ? {} : Object.fromEntries(r.instanceIds.map((id) => [id, load])) });
    }
    return out;
  }
}

const readings = new FixedLoad();
let w: EngineWorld;
beforeAll(async () => {
  w = await engineWorld([{ id: 'alpha', options: { boot_seconds: 1 } }], { readings });
});
afterAll(() => w.close());

describe('sensor domains', () => {
  it('scale up and down on the metric, and wait out the cooldown between sensor steps', async () => {
    const lc = await createLaunchConfiguration(w, { alpha: { rank: 1, max_vms: -1 } });
    const body = {
      name: unique('dom'), de_name: 'sensor', lc_name: lc.name, monitor_sensors: 'proc.loadavg.1min', monitor_domain_sensors: '',
      sensor_minimum_vms: 1, sensor_maximum_vms: 4, sensor_metric: 'proc.loadavg.1min',
      sensor_scale_up_threshold: 2, sensor_scale_up_vms: 1, sensor_scale_down_threshold: 0.5, sensor_scale_down_vms: 1, sensor_cooldown: 60,
    };
    const res = await w.h.http().post('/api/dev/domains').auth(...w.u.basic).send(body);
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    const count = async (): Promise<number> => (await healthyRecords(w.h.container, id)).length;

    // No data: only the minimum is enforced.
    await passes(w, 3, 2);
    expect(await count()).toBe(1);

    readings.load = 3; // strictly above 2
    await passes(w, 1, 1);
    expect(await count()).toBe(2);
    await passes(w, 5, 5); // 25 s: still cooling down
    expect(await count()).toBe(2);
    await passes(w, 1, 40); // past 60 s since the step
    expect(await count()).toBe(3);

    readings.load = 2; // equal to the threshold: no step
    await passes(w, 3, 61);
    expect(await count()).toBe(3);

    readings.load = 0.1;
    await passes(w, 1, 61);
    expect(await count()).toBe(2);
    await passes(w, 1, 10); // cooling down
    expect(await count()).toBe(2);
    await passes(w, 3, 61);
    expect(await count()).toBe(1); // never below the minimum

    const acts = await w.h.http().get(`/api/dev/domains/${id}/activities?limit=500`).auth(...w.u.basic);
    const causes = (acts.body.activities as { kind: string; cause: string }[]).map((a) => `${a.kind}: ${a.cause}`);
    expect(causes).toContain('launch: sensor proc.loadavg.1min average 3 > 2');
    expect(causes).toContain('terminate: sensor proc.loadavg.1min average 0.1 < 0.5');
  });

  it('replaces a failed instance even while cooling down', async () => {
    readings.load = 3;
    const lc = await createLaunchConfiguration(w, { alpha: { rank: 1, max_vms: -1 } });
    const body = {
      name: unique('dom'), de_name: 'sensor', lc_name: lc.name, monitor_sensors: 'proc.loadavg.1min', monitor_domain_sensors: '',
      sensor_minimum_vms: 1, sensor_maximum_vms: 10, sensor_metric: 'proc.loadavg.1min',
      sensor_scale_up_threshold: 2, sensor_scale_up_vms: 1, sensor_scale_down_threshold: 0.5, sensor_scale_down_vms: 1, sensor_cooldown: 600,
    };
    const id = (await w.h.http().post('/api/dev/domains').auth(...w.u.basic).send(body)).body.id as string;
    await passes(w, 3, 2);
    const n = (await healthyRecords(w.h.container, id)).length;
    const [victim] = await healthyRecords(w.h.container, id);
    const row = await w.h.container.db.instance.findUniqueOrThrow({ where: { id: victim.id } });
    await w.h.container.db.simulatedVm.updateMany({ where: { iaasId: row.iaasInstanceId! }, data: { crashAt: w.h.clock.now() } });
    await passes(w, 2, 1);
    expect(await healthyRecords(w.h.container, id)).toHaveLength(n);
  });
});
