import { Router } from 'express';
import type { SensorsService } from '../services/sensors.service';
import { sendJson } from './respond';
import { pathParam } from './query';
import { route } from './route';

function toSensorWire(name: string): { id: string; uri: string } {
  return { id: name, uri: `/api/dev/sensors/${name}` };
}

export function sensorsRouter(service: SensorsService): Router {
  const router = Router();
  route(router, '/sensors', {
    get: async (req, res) => sendJson(req, res, 200, (await service.list()).map(toSensorWire)),
  });
  route(router, '/sensors/:id', {
    get: async (req, res) => sendJson(req, res, 200, toSensorWire(await service.get(pathParam(req, 'id')))),
  });
  return router;
}
