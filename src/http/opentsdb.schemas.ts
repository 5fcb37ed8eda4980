// The envelope of an OpenTSDB `POST /api/put` body. Each point is checked on its own later
// (sensors/opentsdb-points.ts), so one bad point never rejects the request.
import { z } from 'zod';

/** Points per request; OpenTSDB has no fixed cap, tcollector sends a few hundred at a time. */
export const MAX_POINTS_PER_PUT = 10_000;

/** One point or an array of them. */
export const putBodySchema = z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]);

/** OpenTSDB's query flags are present-or-absent (`?summary`, `?details`); "false" turns one off. */
export function flagPresent(value: unknown): boolean {
  return typeof value === 'string' && value.toLowerCase() !== 'false';
}
