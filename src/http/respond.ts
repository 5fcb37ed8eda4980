import type { Request, Response } from 'express';

/** `?pretty=true` (any case) asks for 4-space indentation, as the original served it. */
export function wantsPretty(req: Request): boolean {
  const v = req.query.pretty;
  return typeof v === 'string' && v.toLowerCase() === 'true';
}

/** Sends JSON, indented when the caller asked for it; every response, errors included, goes through here. */
export function sendJson(req: Request, res: Response, status: number, payload: unknown): void {
  const text = wantsPretty(req) ? JSON.stringify(payload, null, 4) : JSON.stringify(payload);
  res.status(status).type('application/json').send(text);
}

/** 201 with the new resource's Location. */
export function sendCreated(req: Request, res: Response, payload: { uri: string }): void {
  res.location(payload.uri);
  sendJson(req, res, 201, payload);
}

export function sendNoContent(res: Response): void {
  res.status(204).end();
}
