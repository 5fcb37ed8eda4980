import type { CloudDriver, SiteCredentials } from '../../src/drivers/cloud-driver';
import { GuardedDriver, type GuardOptions } from '../../src/drivers/guarded-driver';
import { DriverRegistry, type DriverFactory } from '../../src/drivers/registry';
import type { Timer } from '../../src/drivers/token-bucket';
import type { Db } from '../../src/db/client';
import { CloudError } from '../../src/errors';
import { ManualClock } from '../../src/lib/clock';
import { createLogger } from '../../src/lib/logger';
import { SitesFileError } from '../../src/sites/sites-file';

/** Time that moves only when told to; due callbacks fire in order, with promise jobs run between. */
class FakeTimer implements Timer {
  private t = 0;
  private seq = 0;
  private pending: { at: number; seq: number; fn: () => void }[] = [];
  now(): number {
    return this.t;
  }
  schedule(ms: number, fn: () => void): () => void {
    const entry = { at: this.t + ms, seq: this.seq++, fn };
    this.pending.push(entry);
    return () => {
      this.pending = this.pending.filter((e) => e !== entry);
    };
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await flush();
    for (;;) {
      const due = this.pending.filter((e) => e.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.pending = this.pending.filter((e) => e !== due);
      this.t = due.at;
      due.fn();
      await flush();
    }
    this.t = end;
    await flush();
  }
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const creds: SiteCredentials = { accessKey: 'ak', secretKey: 'sk', keyName: 'k' };

/** A driver whose every call is answered by `answer` (by default: a key pair list). */
function fakeDriver(answer: () => Promise<string[]> = async () => ['default']): CloudDriver & { calls: number } {
  const d = {
    calls: 0,
    siteId: 'site-a',
    listInstances: async () => [],
    launch: async () => {
      throw new Error('not used');
    },
    terminate: async () => undefined,
    listImages: async () => ({ public: [], user: [] }),
    listKeyPairs: () => {
      d.calls++;
      return answer();
    },
    validateCredentials: async () => undefined,
  };
  return d;
}

const OPTIONS: GuardOptions = { callTimeoutSeconds: 30, ratePerSecond: 10, burst: 20 };

function guarded(inner: CloudDriver, options: Partial<GuardOptions> = {}, timer = new FakeTimer()): { g: GuardedDriver; timer: FakeTimer } {
  return { g: new GuardedDriver(inner, { ...OPTIONS, ...options }, createLogger('silent'), timer), timer };
}

/** Settles `p` into an inspectable outcome without letting a rejection go unhandled. */
function track<T>(p: Promise<T>): { done: boolean; value?: T; error?: unknown } {
  const state: { done: boolean; value?: T; error?: unknown } = { done: false };
  p.then(
    (value) => Object.assign(state, { done: true, value }),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
}

describe('GuardedDriver', () => {
  it('passes results and CloudErrors through unchanged', async () => {
    const { g } = guarded(fakeDriver());
    await expect(g.listKeyPairs(creds)).resolves.toEqual(['default']);
    const quota = new CloudError('QuotaExceeded', 'quota', 60);
    const { g: failing } = guarded(fakeDriver(() => Promise.reject(quota)));
    await expect(failing.listKeyPairs(creds)).rejects.toBe(quota);
  });

  it('turns any other error into CloudError Unknown without repeating its message', async () => {
    const leaky = Object.assign(new TypeError('fetch https://user:hunter2@cloud.example failed'), { code: 'ECONNRESET' });
    const { g } = guarded(fakeDriver(() => Promise.reject(leaky)));
    const err = await g.listKeyPairs(creds).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect((err as CloudError).errorClass).toBe('Unknown');
    expect((err as CloudError).message).toMatch(/listKeyPairs at site site-a failed unexpectedly \(TypeError ECONNRESET\)/);
    expect((err as CloudError).message).not.toMatch(/hunter2/);
  });

  it('classifies a driver that throws synchronously, and one that rejects with a non-error', async () => {
    const { g } = guarded(fakeDriver(() => {
      throw new RangeError('boom');
    }));
    await expect(g.listKeyPairs(creds)).rejects.toMatchObject({ errorClass: 'Unknown' });
    const { g: odd } = guarded(fakeDriver(() => Promise.reject('a string')));
    await expect(odd.listKeyPairs(creds)).rejects.toMatchObject({ errorClass: 'Unknown' });
  });

  it('fails a call that hangs past the timeout as Transient "timed out", by default after 30 s', async () => {
    const { g, timer } = guarded(fakeDriver(() => new Promise<string[]>(() => undefined)));
    const call = track(g.listKeyPairs(creds));
    await timer.advance(29_999);
    expect(call.done).toBe(false);
    await timer.advance(1);
    expect(call.error).toBeInstanceOf(CloudError);
    expect(call.error).toMatchObject({ errorClass: 'Transient', message: expect.stringMatching(/timed out after 30 s/) });
  });

  it('honours a configured timeout and ignores the hung call settling later', async () => {
    let settle: (v: string[]) => void = () => undefined;
    const { g, timer } = guarded(fakeDriver(() => new Promise<string[]>((resolve) => (settle = resolve))), { callTimeoutSeconds: 2 });
    const call = track(g.listKeyPairs(creds));
    await timer.advance(2_000);
    expect(call.error).toMatchObject({ errorClass: 'Transient' });
    settle(['late']);
    await flush();
    expect(call.error).toMatchObject({ errorClass: 'Transient' });
  });

  it('lets a burst through at once, then spaces calls at the configured rate', async () => {
    const inner = fakeDriver();
    const { g, timer } = guarded(inner, { ratePerSecond: 2, burst: 2 });
    const calls = [1, 2, 3, 4].map(() => track(g.listKeyPairs(creds)));
    await flush();
    expect(inner.calls).toBe(2);
    await timer.advance(499);
    expect(inner.calls).toBe(2);
    await timer.advance(1);
    expect(inner.calls).toBe(3);
    await timer.advance(500);
    expect(inner.calls).toBe(4);
    expect(calls.every((c) => c.done && c.error === undefined)).toBe(true);
  });

  it('refills the bucket during a quiet spell, up to the burst', async () => {
    const inner = fakeDriver();
    const { g, timer } = guarded(inner, { ratePerSecond: 1, burst: 3 });
    for (let i = 0; i < 3; i++) await g.listKeyPairs(creds);
    await timer.advance(60_000);
    [1, 2, 3, 4].map(() => track(g.listKeyPairs(creds)));
    await flush();
    expect(inner.calls).toBe(6);
  });

  it('fails RateLimited, with a retry-after, a call that would wait longer than the bounded wait', async () => {
    const inner = fakeDriver();
    const { g, timer } = guarded(inner, { ratePerSecond: 1, burst: 1, maxWaitSeconds: 2 });
    const waiting = [1, 2, 3].map(() => track(g.listKeyPairs(creds)));
    const refused = await g.listKeyPairs(creds).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CloudError);
    expect(refused).toMatchObject({ errorClass: 'RateLimited', retryAfterSeconds: 3 });
    await timer.advance(2_000);
    expect(waiting.every((c) => c.done && c.error === undefined)).toBe(true);
    expect(inner.calls).toBe(3);
  });
});

describe('DriverRegistry guarding', () => {
  const deps = { db: {} as Db, clock: new ManualClock(), logger: createLogger('silent') };
  const strictFactory = (seen: Record<string, unknown>[]): DriverFactory => ({
    validateOptions: (options) => {
      seen.push(options);
      return Object.keys(options).map((k) => `options.${k}: unknown option`);
    },
    create: (site) => ({ ...fakeDriver(), siteId: site.id }),
  });

  it('wraps every driver it creates', async () => {
    const registry = new DriverRegistry([{ id: 's1', driver: 'fake', instanceTypes: ['t'], options: {} }], { fake: strictFactory([]) }, deps);
    expect(registry.driver('s1')).toBeInstanceOf(GuardedDriver);
    await expect(registry.driver('s1').listKeyPairs(creds)).resolves.toEqual(['default']);
  });

  it('checks the common options for every site and keeps them from the driver', () => {
    const seen: Record<string, unknown>[] = [];
    const ok = { rate_limit_per_second: 5, rate_limit_burst: 7, call_timeout_seconds: 12 };
    new DriverRegistry([{ id: 's1', driver: 'fake', instanceTypes: ['t'], options: ok }], { fake: strictFactory(seen) }, deps);
    expect(seen).toEqual([{}]);
  });

  it('reports every bad common option of every site at once', () => {
    const sites = [
      { id: 's1', driver: 'fake', instanceTypes: ['t'], options: { rate_limit_per_second: 0, call_timeout_seconds: 'soon' } },
      { id: 's2', driver: 'fake', instanceTypes: ['t'], options: { rate_limit_burst: 0, extra: true } },
    ];
    let err: unknown;
    try {
      new DriverRegistry(sites, { fake: strictFactory([]) }, deps, 'sites.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SitesFileError);
    const problems = (err as SitesFileError).problems;
    expect(problems).toEqual([
      expect.stringMatching(/^site s1: options\.rate_limit_per_second: /),
      expect.stringMatching(/^site s1: options\.call_timeout_seconds: /),
      expect.stringMatching(/^site s2: options\.rate_limit_burst: /),
      'site s2: options.extra: unknown option',
    ]);
  });
});
