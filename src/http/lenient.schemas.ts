// Field schemas shared by the launch-configuration, domain and instance schemas. The original's
// clients (phantom's web UI, its example scripts, form posts) sent numbers as numeric strings and
// booleans as "true"/"false", so both spellings are accepted; services always receive typed values.
import { z } from 'zod';

const INTEGER = /^\s*[-+]?\d+\s*$/;
const DECIMAL = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

type IssueInput = { input?: unknown };
const expecting = (what: string) => (iss: IssueInput) => (iss.input === undefined ? 'required' : `must be ${what}`);

/** An integer within [min, max], also given as a numeric string ("5"). */
export function lenientInt(min: number, max: number) {
  const what = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  return z.preprocess(
    (v) => (typeof v === 'string' && INTEGER.test(v) ? Number(v) : v),
    z
      .number({ error: expecting(what) })
      .int({ error: `must be ${what}` })
      .min(min, { error: `must be ${what}` })
      .max(max, { error: `must be ${what}` }),
  );
}

/** A finite number, also given as a numeric string ("0.5"). */
export function lenientNumber() {
  return z.preprocess(
    (v) => (typeof v === 'string' && DECIMAL.test(v) ? Number(v) : v),
    z.number({ error: expecting('a number') }).refine(Number.isFinite, { error: 'must be a finite number' }),
  );
}

/** A boolean, also given as "true"/"false" in any case. */
export function lenientBoolean() {
  return z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    const lower = v.trim().toLowerCase();
    return lower === 'true' ? true : lower === 'false' ? false : v;
  }, z.boolean({ error: expecting('true or false') }));
}

/** Resource names as the original allowed them: letters, digits, space, - _ . (at most 128). */
export const resourceName = z
  .string({ error: expecting('a string') })
  .min(1, { error: 'required' })
  .max(128, { error: 'must be at most 128 characters' })
  .regex(/^[-_.0-9A-Za-z ]+$/, { error: 'may contain only letters, digits, spaces and - _ .' });
