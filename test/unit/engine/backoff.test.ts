import { SiteBackoff, type LaunchSite } from '../../../src/engine/backoff';

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (s: number): Date => new Date(t0.getTime() + s * 1000);
const site: LaunchSite = { domainId: 'd1', userId: 1, siteId: 'hotel', instanceType: 'm1.small', domainFingerprint: 'f1', credentialsFingerprint: 'c1' };
const make = (random = 0.5): SiteBackoff => new SiteBackoff({ baseSeconds: 5, maxSeconds: 60, capacityCoolOffSeconds: 120, random: () => random });

describe('site backoff', () => {
  it('leaves a site that never failed alone', () => {
    expect(make().availability(site, t0)).toBeUndefined();
  });

  it.each([
    [1, 0, 2.5],
    [1, 0.999999, 5],
    [2, 0, 5],
    [3, 0.5, 15],
    [10, 0, 30],
    [10, 0.999999, 60],
  ])('after %i failures with draw %f waits about %f s (exponential, capped, at least half the ceiling)', (failures, random, seconds) => {
    expect(make(random).retryDelaySeconds(failures, undefined)).toBeCloseTo(seconds, 3);
  });

  it('blocks a site + instance type after a transient failure until the delay passes, and a success resets it', () => {
    const b = make();
    b.failed(site, { errorClass: 'Transient', message: 'boom' }, 0, t0);
    expect(b.availability(site, at(3))).toMatchObject({ blocked: { reason: 'Transient: boom', until: at(3.75) } });
    expect(b.availability({ ...site, instanceType: 'm1.large' }, at(3))).toBeUndefined();
    expect(b.availability(site, at(4))).toBeUndefined();
    b.failed(site, { errorClass: 'Unknown', message: 'again' }, 0, at(4));
    expect(b.availability(site, at(11))).toMatchObject({ blocked: { reason: 'Unknown: again' } });
    expect(b.availability(site, at(11.6))).toBeUndefined();
    b.succeeded(site);
    b.failed(site, { errorClass: 'Transient', message: 'x' }, 0, at(20));
    expect(b.availability(site, at(23.8))).toBeUndefined(); // back to the first step
  });

  it('honours a rate limit retry-after longer than its own delay', () => {
    const b = make();
    b.failed(site, { errorClass: 'RateLimited', message: 'slow down', retryAfterSeconds: 30 }, 0, t0);
    expect(b.availability(site, at(29))).toMatchObject({ blocked: { reason: 'RateLimited: slow down' } });
    expect(b.availability(site, at(31))).toBeUndefined();
  });

  it('caps the domain at its current count on the site for a cool-off after OutOfCapacity or QuotaExceeded', () => {
    const b = make();
    b.failed(site, { errorClass: 'OutOfCapacity', message: 'full' }, 3, t0);
    expect(b.availability(site, at(60))).toEqual({ siteId: 'hotel', blocked: false, capacityCap: 3, capacityReason: 'OutOfCapacity' });
    expect(b.availability({ ...site, domainId: 'd2' }, at(60))).toBeUndefined();
    expect(b.availability(site, at(121))).toBeUndefined();
    b.failed(site, { errorClass: 'QuotaExceeded', message: 'quota' }, 0, t0);
    expect(b.availability(site, at(1))).toMatchObject({ capacityCap: 0, capacityReason: 'QuotaExceeded' });
  });

  it('blocks a site refusing the credentials, for every domain of the user, until the credentials change', () => {
    const b = make();
    b.failed(site, { errorClass: 'AuthFailed', message: 'refused' }, 0, t0);
    expect(b.availability(site, at(86_400))).toMatchObject({ blocked: { reason: 'AuthFailed: refused' } });
    expect(b.availability({ ...site, domainId: 'd2' }, t0)).toMatchObject({ blocked: { reason: 'AuthFailed: refused' } });
    expect(b.availability({ ...site, userId: 2 }, t0)).toBeUndefined();
    expect(b.availability({ ...site, credentialsFingerprint: 'c2' }, t0)).toBeUndefined();
  });

  it('blocks a domain whose launch is invalid until the domain, its launch configuration or the credentials change', () => {
    const b = make();
    b.failed(site, { errorClass: 'InvalidRequest', message: 'no such image' }, 0, t0);
    expect(b.availability(site, at(86_400))).toMatchObject({ blocked: { reason: 'InvalidRequest: no such image' } });
    expect(b.availability({ ...site, domainId: 'd2' }, t0)).toBeUndefined();
    expect(b.availability({ ...site, domainFingerprint: 'f2' }, t0)).toBeUndefined();
    expect(b.availability(site, t0)).toBeUndefined(); // the block was lifted, not merely hidden
  });
});
