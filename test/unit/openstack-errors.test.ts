// How the openstack driver reads its site options and the clouds' error responses.
import { classifyResponse, cloudMessage, retryAfterSeconds } from '../../src/drivers/openstack/classify';
import { validateOpenStackOptions } from '../../src/drivers/openstack/options';

const now = new Date('2026-01-01T00:00:00Z');

function response(status: number, body: unknown, headers: Record<string, string> = {}) {
  return { status, body, headers: new Headers(headers) };
}

describe('openstack error classification', () => {
  it.each([
    [401, { error: { code: 401, message: 'The request you have made requires authentication.' } }, 'AuthFailed'],
    [403, { forbidden: { code: 403, message: 'Quota exceeded for cores: Requested 4, but already used 20 of 20 cores' } }, 'QuotaExceeded'],
    [403, { forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:servers:create to be performed." } }, 'Unknown'],
    [413, { overLimit: { code: 413, message: 'Quota exceeded for instances' } }, 'QuotaExceeded'],
    [413, { overLimit: { code: 413, message: 'This request was rate-limited.' } }, 'RateLimited'],
    [429, 'Too Many Requests', 'RateLimited'],
    [400, { badRequest: { code: 400, message: 'Invalid image identifier or image not accessible.' } }, 'InvalidRequest'],
    [404, { itemNotFound: { code: 404, message: 'Instance x could not be found.' } }, 'Unknown'],
    [409, { conflictingRequest: { code: 409, message: "Cannot 'delete' instance while it is in task_state spawning" } }, 'Transient'],
    [500, { computeFault: { code: 500, message: 'No valid host was found. There are not enough hosts available.' } }, 'OutOfCapacity'],
    [503, '<html><body><h1>503 Service Unavailable</h1></body></html>', 'Transient'],
    [302, '', 'Unknown'],
  ])('HTTP %i %j is %s', (status, body, errorClass) => {
    expect(classifyResponse(response(status, body), { what: 'create server', now }).errorClass).toBe(errorClass);
  });

  it('reads a 404 as the caller says: a missing image or flavor is InvalidRequest', () => {
    const err = classifyResponse(response(404, 'No image found'), { what: 'get image', notFound: 'InvalidRequest', now });
    expect(err.errorClass).toBe('InvalidRequest');
  });

  it('takes Retry-After as seconds or as a date, and 2 s when absent', () => {
    expect(retryAfterSeconds(new Headers({ 'Retry-After': '30' }), now)).toBe(30);
    expect(retryAfterSeconds(new Headers({ 'Retry-After': 'Thu, 01 Jan 2026 00:00:45 GMT' }), now)).toBe(45);
    expect(retryAfterSeconds(new Headers(), now)).toBe(2);
  });

  it('keeps cloud messages to one bounded line without markup', () => {
    expect(cloudMessage('<html><h1>502 Bad Gateway</h1>\n</html>')).toBe('502 Bad Gateway');
    expect(cloudMessage({ message: 'x'.repeat(1000) }).length).toBeLessThanOrEqual(301);
  });
});

describe('openstack site options', () => {
  it('accepts a minimal password site', () => {
    expect(validateOpenStackOptions({ auth_url: 'http://keystone:5000/v3', project_name: 'p' })).toEqual([]);
    expect(validateOpenStackOptions({ auth_url: 'https://keystone/identity/v3/', auth_type: 'application_credential' })).toEqual([]);
  });

  it('reports every problem at once', () => {
    const problems = validateOpenStackOptions({ auth_url: 'http://user:pw@keystone:5000/v2.0', auth_type: 'token', colour: 'red' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^options\.auth_url: must not carry credentials/),
        expect.stringMatching(/^options\.auth_url: must be the Keystone v3 endpoint/),
        expect.stringMatching(/^options\.auth_type: /),
        expect.stringMatching(/^options\.colour: unknown option/),
      ]),
    );
  });

  it('requires a project for password authentication', () => {
    expect(validateOpenStackOptions({ auth_url: 'http://keystone:5000/v3' })).toEqual([
      'options.project_name: is required when auth_type is "password"',
    ]);
  });
});
