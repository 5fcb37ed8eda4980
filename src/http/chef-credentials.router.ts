import { Router } from 'express';
import type { ChefCredential, ChefCredentialInput, ChefCredentialsService } from '../services/chef-credentials.service';
import { principalOf } from './auth';
import { createChefCredentialBody, updateChefCredentialBody, type ChefCredentialFields } from './chef-credentials.schemas';
import { sendCreated, sendJson, sendNoContent } from './respond';
import { pathParam } from './query';
import { route } from './route';

export function chefCredentialsUri(name: string): string {
  return `/api/dev/credentials/chef/${encodeURIComponent(name)}`;
}

function toWire(c: ChefCredential) {
  return {
    id: c.name,
    server_url: c.serverUrl,
    client_name: c.clientName,
    validation_client_name: c.validationClientName,
    client_key: c.clientKey,
    validator_key: c.validatorKey,
    uri: chefCredentialsUri(c.name),
  };
}

function fromWire(f: ChefCredentialFields): ChefCredentialInput {
  return {
    serverUrl: f.server_url,
    clientName: f.client_name,
    validationClientName: f.validation_client_name,
    clientKey: f.client_key,
    validatorKey: f.validator_key,
  };
}

/** Chef credentials at /credentials/chef[/{id}]. */
export function chefCredentialsRouter(chef: ChefCredentialsService): Router {
  const router = Router();
  route(router, '/credentials/chef', {
    get: async (req, res) => {
      const list = await chef.list(principalOf(req).userId);
      sendJson(req, res, 200, list.map(toWire));
    },
    post: async (req, res) => {
      const body = createChefCredentialBody.parse(req.body);
      const saved = await chef.create(principalOf(req).userId, body.id, fromWire(body));
      sendCreated(req, res, toWire(saved));
    },
  });
  route(router, '/credentials/chef/:id', {
    get: async (req, res) => {
      sendJson(req, res, 200, toWire(await chef.get(principalOf(req).userId, pathParam(req, 'id'))));
    },
    put: async (req, res) => {
      const name = pathParam(req, 'id');
      const body = updateChefCredentialBody(name).parse(req.body);
      const wire = toWire(await chef.update(principalOf(req).userId, name, fromWire(body)));
      res.location(wire.uri);
      sendJson(req, res, 200, wire);
    },
    delete: async (req, res) => {
      await chef.delete(principalOf(req).userId, pathParam(req, 'id'));
      sendNoContent(res);
    },
  });
  return router;
}
