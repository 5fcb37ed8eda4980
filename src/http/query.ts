// Reading request parameters the way the API's routes need them.
import type { Request } from 'express';

/**
 * Query-string flags as the original parsed them (`?details=true`): only the string "true", in any
 * case, is true; anything else (absent, "false", "1", repeated) is false, so a flag never causes a 400.
 */
export function parseBoolParam(value: unknown): boolean {
  return typeof value === 'string' && value.toLowerCase() === 'true';
}

/**
 * A named path parameter, decoded. Express types parameters as string | string[] because wildcard
 * parameters match several segments; the API's routes use only single-segment ones.
 */
export function pathParam(req: Request, name: string): string {
  const value: unknown = req.params[name];
  if (Array.isArray(value)) return value.join('/');
  return typeof value === 'string' ? value : '';
}
