import { Router, type RequestHandler } from 'express';
import type { SiteCredential, SiteCredentialsService } from '../services/site-credentials.service';
import { principalOf } from './auth';
import { parseBoolParam, pathParam } from './query';
import { sendCreated, sendJson, sendNoContent } from './respond';
import { route } from './route';
import { createSiteCredentialBody, updateSiteCredentialBody } from './site-credentials.schemas';
import { siteCredentialsUri } from './sites.router';

function toWire(c: SiteCredential) {
  return {
    id: c.siteId,
    access_key: c.accessKey,
    secret_key: c.secretKey,
    key_name: c.keyName,
    ...(c.availableKeys ? { available_keys: c.availableKeys } : {}),
    uri: siteCredentialsUri(c.siteId),
  };
}

/**
 * Site credentials at /credentials/sites[/{id}]. Creation is also served at /sites/credentials,
 * the path the spec's example uses.
 */
export function siteCredentialsRouter(credentials: SiteCredentialsService): Router {
  const router = Router();
  const createBody = createSiteCredentialBody(credentials.siteIds());

  const create: RequestHandler = async (req, res) => {
    const { id, access_key, secret_key, key_name } = createBody.parse(req.body);
    const saved = await credentials.create(principalOf(req).userId, id, { accessKey: access_key, secretKey: secret_key, keyName: key_name });
    sendCreated(req, res, toWire(saved));
  };

  route(router, '/sites/credentials', { post: create });
  route(router, '/credentials/sites', {
    get: async (req, res) => {
      const list = await credentials.list(principalOf(req).userId, { details: parseBoolParam(req.query.details) });
      sendJson(req, res, 200, list.map(toWire));
    },
    post: create,
  });
  route(router, '/credentials/sites/:id', {
    get: async (req, res) => {
      const found = await credentials.get(principalOf(req).userId, pathParam(req, 'id'), { details: parseBoolParam(req.query.details) });
      sendJson(req, res, 200, toWire(found));
    },
    put: async (req, res) => {
      const siteId = pathParam(req, 'id');
      const { access_key, secret_key, key_name } = updateSiteCredentialBody(siteId).parse(req.body);
      const saved = await credentials.update(principalOf(req).userId, siteId, { accessKey: access_key, secretKey: secret_key, keyName: key_name });
      const body = toWire(saved);
      res.location(body.uri);
      sendJson(req, res, 200, body);
    },
    delete: async (req, res) => {
      await credentials.delete(principalOf(req).userId, pathParam(req, 'id'));
      sendNoContent(res);
    },
  });
  return router;
}
