import { Router } from 'express';
import type { Site, SitesService } from '../services/sites.service';
import { principalOf } from './auth';
import { parseBoolParam, pathParam } from './query';
import { sendJson } from './respond';
import { route } from './route';

export function siteUri(siteId: string): string {
  return `/api/dev/sites/${encodeURIComponent(siteId)}`;
}

export function siteCredentialsUri(siteId: string): string {
  return `/api/dev/credentials/sites/${encodeURIComponent(siteId)}`;
}

function toWire(site: Site) {
  return {
    id: site.id,
    credentials: siteCredentialsUri(site.id),
    instance_types: site.instanceTypes,
    ...(site.publicImages ? { public_images: site.publicImages } : {}),
    ...(site.userImages ? { user_images: site.userImages } : {}),
    uri: siteUri(site.id),
  };
}

/** GET /sites and /sites/{id}, with images from each site's driver when `?details=true`. */
export function sitesRouter(sites: SitesService): Router {
  const router = Router();
  route(router, '/sites', {
    get: async (req, res) => {
      const list = await sites.list(principalOf(req).userId, { details: parseBoolParam(req.query.details) });
      sendJson(req, res, 200, list.map(toWire));
    },
  });
  route(router, '/sites/:id', {
    get: async (req, res) => {
      const site = await sites.get(principalOf(req).userId, pathParam(req, 'id'), { details: parseBoolParam(req.query.details) });
      sendJson(req, res, 200, toWire(site));
    },
  });
  return router;
}
