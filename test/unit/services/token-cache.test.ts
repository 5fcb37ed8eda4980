import { ManualClock } from '../../../src/lib/clock';
import { TokenCache } from '../../../src/services/token-cache';
import type { Principal } from '../../../src/services/tokens.service';

const principal = (n: number, userId = n): Principal => ({ userId, username: `u${userId}`, tokenHash: `hash-${n}` });

describe('TokenCache', () => {
  it('keeps at most maxEntries, dropping the least recently used', () => {
    const cache = new TokenCache(60, new ManualClock(), 2);
    cache.put(principal(1), null, cache.epoch);
    cache.put(principal(2), null, cache.epoch);
    expect(cache.get('hash-1')).toEqual(principal(1)); // 1 is now the most recent
    cache.put(principal(3), null, cache.epoch);
    expect(cache.size).toBe(2);
    expect(cache.get('hash-2')).toBeUndefined();
    expect(cache.get('hash-1')).toEqual(principal(1));
    expect(cache.get('hash-3')).toEqual(principal(3));
  });

  it('does not cache a lookup that started before an invalidation', () => {
    const cache = new TokenCache(60, new ManualClock());
    const epoch = cache.epoch; // a lookup starts...
    cache.forgetTokens(['hash-1']); // ...the token is revoked meanwhile...
    cache.put(principal(1), null, epoch); // ...and the lookup, which read the row before the delete, ends
    expect(cache.get('hash-1')).toBeUndefined();
  });

  it('forgets every token of one user only', () => {
    const cache = new TokenCache(60, new ManualClock());
    cache.put(principal(1, 7), null, cache.epoch);
    cache.put(principal(2, 7), null, cache.epoch);
    cache.put(principal(3, 8), null, cache.epoch);
    cache.forgetUser(7);
    expect([cache.get('hash-1'), cache.get('hash-2')]).toEqual([undefined, undefined]);
    expect(cache.get('hash-3')).toEqual(principal(3, 8));
  });

  it('stores nothing when disabled', () => {
    const cache = new TokenCache(0, new ManualClock());
    cache.put(principal(1), null, cache.epoch);
    expect(cache.size).toBe(0);
  });
});
