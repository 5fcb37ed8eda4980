import { Router } from 'express';
import { lifecycleLabel } from '../drivers/cloud-driver';
import type { InstancesService, InstanceView } from '../services/instances.service';
import { principalOf } from './auth';
import { domainUri } from './domains.router';
import { parseBoolParam, pathParam } from './query';
import { sendJson, sendNoContent } from './respond';
import { route } from './route';

/** Unknown values are "" rather than null, as the original served them. */
export function toInstanceWire(i: InstanceView): Record<string, unknown> {
  return {
    id: i.id,
    iaas_instance_id: i.iaasInstanceId ?? '',
    lifecycle_state: lifecycleLabel(i.lifecycleState),
    hostname: i.hostname ?? '',
    cloud: `/api/dev/sites/${i.siteId}`,
    image_id: i.imageId,
    instance_type: i.instanceType,
    sensor_data: i.sensorData,
    keyname: i.keyname ?? '',
    public_ip: i.publicIp ?? '',
    private_ip: i.privateIp ?? '',
    state_reason: i.stateReason ?? '',
    uri: `${domainUri(i.domainId)}/instances/${i.id}`,
  };
}

export function instancesRouter(service: InstancesService): Router {
  const router = Router();
  route(router, '/domains/:domainId/instances', {
    get: async (req, res) => {
      const all = await service.list(principalOf(req), pathParam(req, 'domainId'));
      sendJson(req, res, 200, all.map(toInstanceWire));
    },
  });
  route(router, '/domains/:domainId/instances/:instanceId', {
    get: async (req, res) => {
      const inst = await service.get(principalOf(req), pathParam(req, 'domainId'), pathParam(req, 'instanceId'));
      sendJson(req, res, 200, toInstanceWire(inst));
    },
    delete: async (req, res) => {
      const adjustPolicy = parseBoolParam(req.query.adjust_policy);
      await service.terminate(principalOf(req), pathParam(req, 'domainId'), pathParam(req, 'instanceId'), adjustPolicy);
      sendNoContent(res);
    },
  });
  return router;
}
