// The ec2 driver's pure tables: EC2 error codes onto CloudError classes, EC2 states onto lifecycle.
import { LIFECYCLE_STATES } from '../../../src/drivers/cloud-driver';
import { classifyEc2Error, DEFAULT_RETRY_AFTER_SECONDS } from '../../../src/drivers/ec2/classify-error';
import { toLifecycleState } from '../../../src/drivers/ec2/states';

/** What the SDK throws for an EC2 error document. */
function serviceError(code: string, status: number, message = 'm', headers: Record<string, string> = {}): object {
  return { name: code, message, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, $response: { statusCode: status, headers } };
}

describe('classifyEc2Error', () => {
  it.each([
    ['InsufficientInstanceCapacity', 500, 'OutOfCapacity'],
    ['InstanceLimitExceeded', 400, 'QuotaExceeded'],
    ['MaxSpotInstanceCountExceeded', 400, 'QuotaExceeded'],
    ['InsufficientAddressCapacity', 500, 'OutOfCapacity'],
    ['VcpuLimitExceeded', 400, 'QuotaExceeded'],
    ['RequestLimitExceeded', 503, 'RateLimited'],
    ['AuthFailure', 401, 'AuthFailed'],
    ['UnauthorizedOperation', 403, 'AuthFailed'],
    ['InvalidAMIID.Unavailable', 400, 'InvalidRequest'],
    ['InvalidInstanceType', 400, 'InvalidRequest'],
    ['SomethingNew', 502, 'Transient'],
    ['SomethingNew', 400, 'Unknown'],
  ] as const)('%s (HTTP %i) is %s', (code, status, errorClass) => {
    expect(classifyEc2Error(serviceError(code, status), 'RunInstances').errorClass).toBe(errorClass);
  });

  it('reads Retry-After in seconds or as an HTTP date, else uses the default', () => {
    expect(classifyEc2Error(serviceError('Throttling', 400, 'm', { 'retry-after': '7' }), 'X').retryAfterSeconds).toBe(7);
    const at = new Date(Date.now() + 30_000).toUTCString();
    const fromDate = classifyEc2Error(serviceError('Throttling', 400, 'm', { 'retry-after': at }), 'X').retryAfterSeconds ?? 0;
    expect(fromDate).toBeGreaterThan(25);
    expect(fromDate).toBeLessThanOrEqual(31);
    expect(classifyEc2Error(serviceError('Throttling', 400), 'X').retryAfterSeconds).toBe(DEFAULT_RETRY_AFTER_SECONDS);
  });

  it('treats network failures and timeouts as Transient', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', $metadata: { attempts: 1 } });
    expect(classifyEc2Error(refused, 'X').errorClass).toBe('Transient');
    expect(classifyEc2Error(Object.assign(new Error('too slow'), { name: 'TimeoutError' }), 'X').errorClass).toBe('Transient');
  });

  it('scrubs the secret from any message a cloud echoes back', () => {
    const err = classifyEc2Error(serviceError('SignatureDoesNotMatch', 403, 'canonical request used key s3cr3t/KEY'), 'X', ['s3cr3t/KEY']);
    expect(err.message).not.toContain('s3cr3t/KEY');
    expect(err.message).toContain('[redacted]');
  });
});

describe('toLifecycleState', () => {
  it.each([
    ['pending', 0, LIFECYCLE_STATES.PENDING],
    ['running', 16, LIFECYCLE_STATES.RUNNING],
    ['shutting-down', 32, LIFECYCLE_STATES.TERMINATING],
    ['stopping', 64, LIFECYCLE_STATES.TERMINATING],
    ['stopped', 80, LIFECYCLE_STATES.TERMINATING],
    ['terminated', 48, LIFECYCLE_STATES.TERMINATED],
    ['RUNNING-ish', 272, LIFECYCLE_STATES.RUNNING],
    ['mystery', undefined, LIFECYCLE_STATES.FAILED],
  ] as const)('%s (%s) is %i', (name, code, state) => {
    expect(toLifecycleState(name, code)).toBe(state);
  });
});
