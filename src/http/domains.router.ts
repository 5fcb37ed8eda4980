import { Router } from 'express';
import type { DomainPolicy, DomainsService, DomainView } from '../services/domains.service';
import { principalOf } from './auth';
import { domainBody } from './domains.schemas';
import { launchConfigurationUri } from './launch-configurations.router';
import { sendCreated, sendJson, sendNoContent } from './respond';
import { pathParam } from './query';
import { route } from './route';

export function domainUri(id: string): string {
  return `/api/dev/domains/${id}`;
}

function policyWire(p: DomainPolicy): Record<string, string | number> {
  if (p.deName === 'multicloud') return { vm_count: p.vmCount };
  return {
    sensor_minimum_vms: p.minimumVms,
    sensor_maximum_vms: p.maximumVms,
    sensor_metric: p.metric,
    sensor_scale_down_threshold: p.scaleDownThreshold,
    sensor_scale_down_vms: p.scaleDownVms,
    sensor_scale_up_threshold: p.scaleUpThreshold,
    sensor_scale_up_vms: p.scaleUpVms,
    sensor_cooldown: p.cooldownSeconds,
  };
}

export function toDomainWire(d: DomainView): Record<string, unknown> & { uri: string } {
  return {
    id: d.id,
    name: d.name,
    de_name: d.policy.deName,
    lc_name: d.launchConfiguration?.name ?? '',
    launchconfiguration: d.launchConfiguration ? launchConfigurationUri(d.launchConfiguration.id) : '',
    monitor_sensors: d.monitorSensors,
    monitor_domain_sensors: d.monitorDomainSensors,
    ...policyWire(d.policy),
    ...(d.chefCredential !== null ? { chef_credential: d.chefCredential } : {}),
    sensor_data: d.sensorData,
    state: d.state,
    unplaced_vms: d.unplacedVms,
    unplaced_reason: d.unplacedReason ?? '',
    owner: d.owner,
    uri: domainUri(d.id),
  };
}

export function domainsRouter(service: DomainsService): Router {
  const router = Router();
  route(router, '/domains', {
    get: async (req, res) => {
      const all = await service.list(principalOf(req));
      sendJson(req, res, 200, all.map(toDomainWire));
    },
    post: async (req, res) => {
      const domain = await service.create(principalOf(req), domainBody.parse(req.body));
      sendCreated(req, res, toDomainWire(domain));
    },
  });
  route(router, '/domains/:id', {
    get: async (req, res) => {
      sendJson(req, res, 200, toDomainWire(await service.get(principalOf(req), pathParam(req, 'id'))));
    },
    put: async (req, res) => {
      const principal = principalOf(req);
      await service.get(principal, pathParam(req, 'id')); // an unknown id is a 404 before any 400 about the body
      const domain = await service.replace(principal, pathParam(req, 'id'), domainBody.parse(req.body));
      res.location(domainUri(domain.id));
      sendJson(req, res, 200, toDomainWire(domain));
    },
    delete: async (req, res) => {
      await service.delete(principalOf(req), pathParam(req, 'id'));
      sendNoContent(res);
    },
  });
  return router;
}
