// Verifies an AWS Signature Version 4 `Authorization` header the way EC2 does, from the published
// algorithm (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html): rebuild
// the canonical request from what arrived, derive the signing key from the known secret, compare.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SignedRequest {
  method: string;
  /** Path and query as received (req.url). */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ParsedAuthorization {
  accessKey: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** How far a request's X-Amz-Date may be from the server's clock, as AWS allows. */
const MAX_SKEW_MS = 15 * 60 * 1000;

const AUTH_RE =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** The header's parts, or undefined when it is not a well-formed SigV4 header. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  const m = header === undefined ? null : AUTH_RE.exec(header.trim());
  if (!m) return undefined;
  return { accessKey: m[1], date: m[2], region: m[3], service: m[4], signedHeaders: m[5].split(';'), signature: m[6] };
}

/** RFC 3986 encoding as SigV4 wants it: encodeURIComponent leaves !'()* alone, SigV4 does not. */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalPath(path: string): string {
  // Non-S3 services encode each (already encoded) segment again.
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  const encoded = segments.map((s) => uriEncode(s)).join('/');
  return `/${encoded}${path.endsWith('/') && encoded !== '' ? '/' : ''}`;
}

function canonicalQuery(query: string): string {
  const pairs = [...new URLSearchParams(query)].map(([k, v]) => [uriEncode(k), uriEncode(v)] as const);
  pairs.sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Why the signature is wrong, or undefined when it is right. */
export function verifySignature(req: SignedRequest, auth: ParsedAuthorization, secretKey: string, now = Date.now()): string | undefined {
  const amzDate = headerValue(req.headers, 'x-amz-date');
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate)) return 'missing or malformed X-Amz-Date';
  if (!amzDate.startsWith(auth.date)) return 'credential scope date does not match X-Amz-Date';
  const at = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  if (Math.abs(now - at) > MAX_SKEW_MS) return 'request time too skewed';
  if (!auth.signedHeaders.includes('host')) return 'host is not a signed header';

  const payloadHash = sha256Hex(req.body);
  const claimed = headerValue(req.headers, 'x-amz-content-sha256');
  if (claimed !== undefined && claimed !== payloadHash) return 'x-amz-content-sha256 does not match the body';

  const canonicalHeaders = auth.signedHeaders
    .map((name) => `${name}:${(headerValue(req.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const [path, query = ''] = req.url.split('?', 2);
  const canonicalRequest = [req.method, canonicalPath(path), canonicalQuery(query), canonicalHeaders, auth.signedHeaders.join(';'), payloadHash].join('\n');

  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const kDate = hmac(`AWS4${secretKey}`, auth.date);
  const kSigning = hmac(hmac(hmac(kDate, auth.region), auth.service), 'aws4_request');
  const expected = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(auth.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'signature does not match';
}
