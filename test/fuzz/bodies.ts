// Request bodies for the fuzzer: a plausible body of the endpoint's family with fields dropped,
// retyped and added, sent as JSON or form fields under any content type; or raw hostile bytes
// (invalid UTF-8, truncated, deep or huge JSON, bad percent-encoding, other charsets).
import fc from 'fast-check';
import type { Family } from './endpoints';

export interface FuzzBody {
  /** The Content-Type header sent; null sends none. */
  contentType: string | null;
  bytes: Buffer | null;
  /** What the generator meant, for failure reports. */
  kind: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const CLOUD_PARAM: Json = { image_id: 'hello-cloud', instance_type: 'm1.small', max_vms: 4, common: true, rank: 1 };

const TEMPLATES: Record<Family, Record<string, Json>> = {
  token: { username: 'fuzz', password: 'secret' },
  'site-credentials': { id: 'hotel', access_key: 'ak', secret_key: 'sk', key_name: 'default' },
  'chef-credentials': {
    id: 'chef-1',
    server_url: 'https://chef.example.org',
    client_name: 'c',
    validation_client_name: 'v',
    client_key: '-----BEGIN RSA PRIVATE KEY-----\nA\n-----END RSA PRIVATE KEY-----',
    validator_key: '-----BEGIN RSA PRIVATE KEY-----\nA\n-----END RSA PRIVATE KEY-----',
  },
  'launch-configurations': {
    name: 'lc-fuzz',
    contextualization_method: 'none',
    user_data: null,
    chef_runlist: null,
    chef_attributes: null,
    cloud_params: { hotel: CLOUD_PARAM, sierra: { ...(CLOUD_PARAM as Record<string, Json>), rank: 2 } },
  },
  domains: {
    name: 'dom-fuzz',
    de_name: 'sensor',
    lc_name: 'lc-fuzz',
    monitor_sensors: 'proc.loadavg.1min',
    monitor_domain_sensors: '',
    vm_count: 2,
    sensor_minimum_vms: 1,
    sensor_maximum_vms: 4,
    sensor_metric: 'proc.loadavg.1min',
    sensor_scale_up_threshold: 2,
    sensor_scale_down_threshold: 0.5,
    sensor_scale_up_vms: 1,
    sensor_scale_down_vms: 1,
    sensor_cooldown: 60,
    chef_credential: null,
  },
  put: { metric: 'proc.loadavg.1min', timestamp: 1_700_000_000, value: 1.5, tags: { host: 'vm-1.example.org' } },
  none: { a: 1 },
};

const HUGE_STRING = 'x'.repeat(300_000);

/** Values of every wrong type and awkward size. */
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom<Json>('', ' ', 'true', 'false', '1e400', '-1', 'NaN', 'Infinity', '0x1F', ' 5 ', '５', '\u0000', '\ud800', '../..', '<script>', "'; DROP TABLE", HUGE_STRING),
  fc.integer(),
  fc.constantFrom<Json>(-1, 0, -0, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e308, 5e-324, 1.5, -100_000_000),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)), { maxKeys: 3 }),
);

const extraKey = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'owner', 'uri', 'user', 'token', 'userId', 'toString'));

/** The template with fields dropped, retyped, and extra fields added (one level of nesting too). */
function mutated(family: Family): fc.Arbitrary<Json> {
  const template = TEMPLATES[family];
  const keys = Object.keys(template);
  return fc
    .record({
      drop: fc.subarray(keys),
      retype: fc.dictionary(fc.constantFrom(...keys), hostileValue, { maxKeys: 4 }),
      extra: fc.dictionary(extraKey, hostileValue, { maxKeys: 3 }),
      nested: fc.option(fc.tuple(fc.string({ maxLength: 12 }), hostileValue), { nil: undefined }),
    })
    .map(({ drop, retype, extra, nested }) => {
      const out: Record<string, Json> = {};
      for (const k of keys) if (!drop.includes(k)) out[k] = template[k];
      Object.assign(out, retype);
      for (const [k, v] of Object.entries(extra)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      if (nested && typeof out.cloud_params === 'object' && out.cloud_params !== null && !Array.isArray(out.cloud_params)) {
        out.cloud_params = { ...out.cloud_params, [nested[0] || 'hotel']: nested[1] };
      }
      if (nested && typeof out.tags === 'object') out.tags = { [nested[0]]: nested[1] };
      return out;
    });
}

/** Percent-encodes any string, lone surrogates included (encodeURIComponent throws on those). */
export function pct(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function formEncode(value: Json): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `value=${pct(JSON.stringify(value))}`;
  return Object.entries(value)
    .map(([k, v]) => `${pct(k)}=${pct(typeof v === 'string' ? v : JSON.stringify(v))}`)
    .join('&');
}

const contentTypes = fc.constantFrom<string | null>(
  null,
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=koi8-r',
  'application/x-www-form-urlencoded',
  'text/plain',
  'text/html',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  '*/*',
  'garbage',
  'application/json; charset',
);

/** A plausible body, mutated, in JSON or form encoding (for PUT /api/put also as a batch). */
function structuredBody(family: Family): fc.Arbitrary<FuzzBody> {
  const value: fc.Arbitrary<Json> = family === 'put' ? fc.oneof(mutated(family), fc.array(mutated(family), { maxLength: 5 })) : mutated(family);
  return fc.record({ value, form: fc.boolean(), contentType: contentTypes }).map(({ value: v, form, contentType }) => ({
    contentType,
    bytes: Buffer.from(form ? formEncode(v) : JSON.stringify(v), 'utf8'),
    kind: form ? 'form' : 'json',
  }));
}

const deep = (n: number, open: string, leaf: string, close: string): string => open.repeat(n) + leaf + close.repeat(n);
const OVER_API_LIMIT = Buffer.from(JSON.stringify({ name: 'x'.repeat(1_100_000) }));
const OVER_PUT_LIMIT = Buffer.from(`[${JSON.stringify({ metric: 'm', timestamp: 1, value: 1, tags: { host: 'x'.repeat(9_000_000) } })}]`);

/** Raw bytes no well-behaved client sends. */
const rawBody: fc.Arbitrary<FuzzBody> = fc
  .record({
    bytes: fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc.constantFrom(
        Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), // {"a":"<invalid UTF-8>"}
        Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]), // UTF-16LE BOM + {}
        Buffer.from('\ufeff{"name":"bom"}'),
        Buffer.from('{"a":1'),
        Buffer.from('{"a":1}}'),
        Buffer.from('[1,2,'),
        Buffer.from('{"a":"\\ud800"}'),
        Buffer.from('{"a":"\\u0000"}'),
        Buffer.from('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'),
        Buffer.from('{"a":1e999999,"b":-1e999999}'),
        Buffer.from('{"name":"a","name":{"b":1}}'),
        Buffer.from('name=%zz&password=%&username=%E0%A4%A'),
        Buffer.from('username=a&username=b&password[]=x'),
        Buffer.from('user=1&token=%00'),
        Buffer.from('null'),
        Buffer.from('"string"'),
        Buffer.from('12345'),
        Buffer.from('[]'),
        Buffer.from('{}'),
        Buffer.from('[null,true,"x",[],{}]'),
        OVER_API_LIMIT,
        OVER_PUT_LIMIT,
      ),
      fc.integer({ min: 1, max: 100_000 }).map((n) => Buffer.from(deep(n, '[', '1', ']'))),
      fc.integer({ min: 1, max: 100_000 }).map((n) => Buffer.from(deep(n, '{"a":', '1', '}'))),
      fc.integer({ min: 1, max: 50_000 }).map((n) => Buffer.from(`[${deep(n, '{"metric":"m","timestamp":1,"value":1,"tags":', '{}', '}')}]`)),
      fc.string({ maxLength: 100 }).map((s) => Buffer.from(s, 'utf16le')),
    ),
    contentType: contentTypes,
  })
  .map(({ bytes, contentType }) => ({ bytes, contentType, kind: 'raw' }));

export function bodyArb(family: Family): fc.Arbitrary<FuzzBody> {
  return fc.oneof(
    { weight: 5, arbitrary: structuredBody(family) },
    { weight: 3, arbitrary: rawBody },
    { weight: 1, arbitrary: fc.constant<FuzzBody>({ contentType: null, bytes: null, kind: 'none' }) },
  );
}
