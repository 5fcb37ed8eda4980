// Turns whatever the SDK throws into a classified CloudError. EC2 reports its failures as error
// codes (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html); the SDK puts
// the code in `name`, the HTTP status in `$metadata`, and the raw response in `$response`.
import { CloudError, type CloudErrorClass } from '../../errors';

/** When a throttled cloud gives no Retry-After (AWS EC2 does not send one), wait this long. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

const EXACT: Record<string, CloudErrorClass> = {
  InsufficientInstanceCapacity: 'OutOfCapacity',
  InsufficientCapacity: 'OutOfCapacity',
  InsufficientHostCapacity: 'OutOfCapacity',
  InsufficientReservedInstanceCapacity: 'OutOfCapacity',
  RequestLimitExceeded: 'RateLimited',
  Throttling: 'RateLimited',
  ThrottlingException: 'RateLimited',
  AuthFailure: 'AuthFailed',
  UnauthorizedOperation: 'AuthFailed',
  InvalidClientTokenId: 'AuthFailed',
  SignatureDoesNotMatch: 'AuthFailed',
  OptInRequired: 'AuthFailed',
  Blocked: 'AuthFailed',
  InvalidParameterValue: 'InvalidRequest',
  InvalidParameterCombination: 'InvalidRequest',
  InvalidParameter: 'InvalidRequest',
  MissingParameter: 'InvalidRequest',
  Unsupported: 'InvalidRequest',
  UnsupportedOperation: 'InvalidRequest',
  InvalidInstanceType: 'InvalidRequest',
  IdempotentParameterMismatch: 'InvalidRequest',
  InternalError: 'Transient',
  InternalFailure: 'Transient',
  ServiceUnavailable: 'Transient',
  Unavailable: 'Transient',
};

/** Families of codes, tried in order after the exact table. */
const PATTERNS: Array<[RegExp, CloudErrorClass]> = [
  [/^InvalidAMIID\./, 'InvalidRequest'],
  [/^InvalidKeyPair\./, 'InvalidRequest'],
  [/^InvalidSubnetID\./, 'InvalidRequest'],
  [/^InvalidGroup\./, 'InvalidRequest'],
  [/^Insufficient\w*Capacity$/, 'OutOfCapacity'],
  // After RequestLimitExceeded (exact, above): every other *LimitExceeded (and the likes of
  // MaxSpotInstanceCountExceeded) is an account quota.
  [/(Limit|Count)Exceeded$/, 'QuotaExceeded'],
];

/** Node network failures worth retrying: the cloud may simply be unreachable for a moment. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

const NETWORK_CODES_IN_TEXT = new RegExp(`\\b(${[...NETWORK_CODES].join('|')})\\b`);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

function shapeOf(err: unknown): SdkErrorShape {
  return typeof err === 'object' && err !== null ? (err as SdkErrorShape) : {};
}

/** The EC2 error code, or undefined for errors that never reached (or came back from) the API. */
export function ec2ErrorCode(err: unknown): string | undefined {
  const e = shapeOf(err);
  // Only service exceptions carry $fault; the SDK also stamps $metadata on network errors.
  return e.$fault !== undefined && typeof e.name === 'string' ? e.name : undefined;
}

function classOf(code: string | undefined, status: number | undefined, err: SdkErrorShape): CloudErrorClass {
  if (code !== undefined) {
    const exact = EXACT[code];
    if (exact) return exact;
    const pattern = PATTERNS.find(([re]) => re.test(code));
    if (pattern) return pattern[1];
  }
  if (status === 429) return 'RateLimited';
  if (status === 401 || status === 403) return 'AuthFailed';
  if (status !== undefined && status >= 500) return 'Transient';
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'Transient';
  if (typeof err.code === 'string' && NETWORK_CODES.has(err.code)) return 'Transient';
  // The SDK's retry layer can flatten a non-Error-like failure (e.g. from another realm, as under
  // jest) into "AWS SDK error wrapper for Error: connect ECONNREFUSED …", keeping only the text.
  if (typeof err.message === 'string' && NETWORK_CODES_IN_TEXT.test(err.message)) return 'Transient';
  return 'Unknown';
}

function retryAfterSeconds(err: SdkErrorShape): number {
  const header = err.$response?.headers?.['retry-after'] ?? err.$response?.headers?.['Retry-After'];
  if (header !== undefined) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
    const at = Date.parse(header);
    if (!Number.isNaN(at)) return Math.max(0, Math.ceil((at - Date.now()) / 1000));
  }
  return DEFAULT_RETRY_AFTER_SECONDS;
}

/**
 * Every error from the SDK as a CloudError. `secrets` are scrubbed from the message as a last line of
 * defence: an EC2-compatible cloud might echo a canonical request or a credential back.
 */
export function classifyEc2Error(err: unknown, action: string, secrets: string[] = []): CloudError {
  if (err instanceof CloudError) return err;
  const e = shapeOf(err);
  const code = ec2ErrorCode(err);
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const errorClass = classOf(code, status, e);
  let detail = typeof e.message === 'string' && e.message !== '' ? e.message : 'no message';
  for (const secret of secrets) if (secret) detail = detail.split(secret).join('[redacted]');
  const what = code ?? (typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'Error');
  const message = `EC2 ${action} failed (${what}${status ? `, HTTP ${status}` : ''}): ${detail.slice(0, 500)}`;
  return new CloudError(errorClass, message, errorClass === 'RateLimited' ? retryAfterSeconds(e) : undefined);
}
