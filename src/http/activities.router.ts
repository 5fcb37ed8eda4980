// GET /api/dev/domains/{id}/activities: what the engine did to the domain and why, newest first.
// ?limit (1–500, default 50) and ?before (an activity id: the page of older ones) page through it.
import { Router } from 'express';
import { z } from 'zod';
import { ACTIVITY_PAGE, type ActivitiesService, type ActivityView } from '../services/activities.service';
import { principalOf } from './auth';
import { domainUri } from './domains.router';
import { pathParam } from './query';
import { sendJson } from './respond';
import { route } from './route';

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(ACTIVITY_PAGE.max).default(ACTIVITY_PAGE.default),
  before: z.coerce.number().int().min(1).optional(),
});

function toActivityWire(a: ActivityView): Record<string, unknown> {
  return {
    id: a.id,
    time: a.at.toISOString(),
    kind: a.kind,
    site: a.siteId ?? '',
    instance_id: a.instanceId ?? '',
    cause: a.cause,
    error_class: a.errorClass ?? '',
  };
}

export function activitiesRouter(service: ActivitiesService): Router {
  const router = Router();
  route(router, '/domains/:id/activities', {
    get: async (req, res) => {
      const id = pathParam(req, 'id');
      const { limit, before } = pageQuery.parse({ limit: req.query.limit, before: req.query.before });
      const page = await service.list(principalOf(req), id, { limit, before });
      const next = page.nextBefore === null ? null : `${domainUri(id)}/activities?limit=${limit}&before=${page.nextBefore}`;
      sendJson(req, res, 200, { activities: page.activities.map(toActivityWire), next });
    },
  });
  return router;
}
