// OpenTSDB 2.x data points (`POST /api/put`), checked one by one: a bad point is reported with the
// reason OpenTSDB would give and never stops the good ones. Pure: no I/O, the clock is an input.
import { METRIC_NAME } from '../services/sensors.service';

/** OpenTSDB's default `tsd.storage.max_tags`. */
export const MAX_TAGS = 8;
/** OpenTSDB's character rule for metric names, tag keys and tag values, with a length cap. */
const TAG_TEXT = /^[A-Za-z0-9._\-/]{1,255}$/;
/** OpenTSDB reads a timestamp above 2^32 - 1 as milliseconds (its SECOND_MASK rule), else seconds. */
const SECONDS_LIMIT = 0xffff_ffff;
/** Agents' clocks drift; a point this far ahead of ours is refused as a bad clock. */
const MAX_FUTURE_MS = 10 * 60 * 1000;

/** Where a point goes: a host (matched to an instance when read) or one of the caller's domains. */
export type PointTarget = { kind: 'host'; host: string } | { kind: 'domain'; domain: string };

export interface ParsedPoint {
  metric: string;
  tsMs: number;
  value: number;
  target: PointTarget;
}

export type PointCheck = { ok: true; point: ParsedPoint } | { ok: false; error: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Seconds or milliseconds (number or digit string) → milliseconds; null when unusable. */
export function timestampMs(raw: unknown): number | null {
  const n = typeof raw === 'string' && /^\d{1,13}$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) return null;
  if (n <= SECONDS_LIMIT) return n * 1000;
  return n <= 9_999_999_999_999 ? n : null;
}

/** A finite number, or a string OpenTSDB would parse as one ("42", "1.5e3"). */
export function numericValue(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw !== 'string' || !/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(raw)) return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

function checkTags(raw: unknown): { tags: Record<string, string> } | { error: string } {
  if (!isRecord(raw)) return { error: 'Missing tags' };
  const entries = Object.entries(raw);
  if (entries.length === 0) return { error: 'Missing tags: at least one tag is required' };
  if (entries.length > MAX_TAGS) return { error: `Too many tags: ${entries.length} (maximum ${MAX_TAGS})` };
  const tags: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (!TAG_TEXT.test(k)) return { error: `Invalid tag name "${k.slice(0, 64)}"` };
    if (typeof v !== 'string' || !TAG_TEXT.test(v)) return { error: `Invalid value for tag "${k}"` };
    tags[k] = v;
  }
  return { tags };
}

/**
 * Checks one data point. `oldestMs` is the retention horizon: older points would be pruned at once,
 * so they are refused with a reason instead of being stored for nothing.
 */
export function checkPoint(raw: unknown, nowMs: number, oldestMs: number): PointCheck {
  if (!isRecord(raw)) return { ok: false, error: 'Data point is not a JSON object' };
  if (typeof raw.metric !== 'string' || raw.metric === '') return { ok: false, error: 'Missing metric' };
  if (!METRIC_NAME.test(raw.metric)) return { ok: false, error: 'Invalid metric name: use 1-128 of A-Z a-z 0-9 . _ - /' };
  if (raw.timestamp === undefined) return { ok: false, error: 'Missing timestamp' };
  const tsMs = timestampMs(raw.timestamp);
  if (tsMs === null) return { ok: false, error: 'Invalid timestamp: use Unix seconds or milliseconds' };
  if (tsMs > nowMs + MAX_FUTURE_MS) return { ok: false, error: 'Timestamp is more than 10 minutes in the future' };
  if (tsMs < oldestMs) return { ok: false, error: 'Timestamp is older than the retention period' };
  if (raw.value === undefined || raw.value === null) return { ok: false, error: 'Missing value' };
  const value = numericValue(raw.value);
  if (value === null) return { ok: false, error: 'Unable to parse value to a number' };
  const checked = checkTags(raw.tags);
  if ('error' in checked) return { ok: false, error: checked.error };
  // A VM's collector usually sends host and domain together: the host wins, so its points stay
  // per-instance; a point with only a domain tag is a domain-level sample.
  const { host, domain } = checked.tags;
  if (host !== undefined) return { ok: true, point: { metric: raw.metric, tsMs, value, target: { kind: 'host', host } } };
  if (domain !== undefined) return { ok: true, point: { metric: raw.metric, tsMs, value, target: { kind: 'domain', domain } } };
  return { ok: false, error: 'Missing tag "host" (an instance) or "domain" (a domain-level series)' };
}
