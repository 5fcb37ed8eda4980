import { Router } from 'express';
import type { LaunchConfigurationsService, LaunchConfigurationView } from '../services/launch-configurations.service';
import { principalOf } from './auth';
import { createLaunchConfigurationBody, replaceLaunchConfigurationBody } from './launch-configurations.schemas';
import { sendCreated, sendJson, sendNoContent } from './respond';
import { pathParam } from './query';
import { route } from './route';

export function launchConfigurationUri(id: string): string {
  return `/api/dev/launchconfigurations/${id}`;
}

interface CloudParamWire {
  image_id: string;
  instance_type: string;
  max_vms: number;
  common: boolean;
  rank: number;
}

/**
 * The wire shape. A chef configuration carries chef_runlist/chef_attributes as sent and, as the spec's
 * example response shows, the same values again as run_list/attributes.
 */
export function toLaunchConfigurationWire(lc: LaunchConfigurationView): Record<string, unknown> & { uri: string } {
  const cloudParams: Record<string, CloudParamWire> = {};
  for (const s of lc.sites) {
    cloudParams[s.siteId] = { image_id: s.imageId, instance_type: s.instanceType, max_vms: s.maxVms, common: s.common, rank: s.rank };
  }
  const context: Record<string, string> = {};
  if (lc.contextualizationMethod === 'user_data' && lc.userData !== null) context.user_data = lc.userData;
  if (lc.contextualizationMethod === 'chef') {
    const runlist = lc.chefRunlist ?? '[]';
    const attributes = lc.chefAttributes ?? '{}';
    Object.assign(context, { chef_runlist: runlist, chef_attributes: attributes, run_list: runlist, attributes });
  }
  return {
    id: lc.id,
    name: lc.name,
    cloud_params: cloudParams,
    contextualization_method: lc.contextualizationMethod,
    ...context,
    owner: lc.owner,
    uri: launchConfigurationUri(lc.id),
  };
}

export function launchConfigurationsRouter(service: LaunchConfigurationsService): Router {
  const router = Router();
  route(router, '/launchconfigurations', {
    get: async (req, res) => {
      const all = await service.list(principalOf(req));
      sendJson(req, res, 200, all.map(toLaunchConfigurationWire));
    },
    post: async (req, res) => {
      const input = createLaunchConfigurationBody.parse(req.body);
      const lc = await service.create(principalOf(req), input);
      sendCreated(req, res, toLaunchConfigurationWire(lc));
    },
  });
  route(router, '/launchconfigurations/:id', {
    get: async (req, res) => {
      const lc = await service.get(principalOf(req), pathParam(req, 'id'));
      sendJson(req, res, 200, toLaunchConfigurationWire(lc));
    },
    put: async (req, res) => {
      const principal = principalOf(req);
      const id = pathParam(req, 'id');
      await service.get(principal, id); // an unknown id is a 404 before any 400 about the body
      const lc = await service.replace(principal, id, replaceLaunchConfigurationBody.parse(req.body));
      res.location(launchConfigurationUri(lc.id));
      sendJson(req, res, 200, toLaunchConfigurationWire(lc));
    },
    delete: async (req, res) => {
      await service.delete(principalOf(req), pathParam(req, 'id'));
      sendNoContent(res);
    },
  });
  return router;
}
