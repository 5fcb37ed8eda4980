import { CloudError } from '../../src/errors';
import { describeFailure, lookupOr } from '../../src/services/cloud-lookup';

describe('lookupOr', () => {
  it('resolves to the query’s result', async () => {
    const failures: unknown[] = [];
    await expect(lookupOr(async () => ['a'], [], 100, (r) => failures.push(r))).resolves.toEqual(['a']);
    expect(failures).toEqual([]);
  });

  it('resolves to the fallback and reports why when the query rejects or throws synchronously', async () => {
    const failures: unknown[] = [];
    const rejecting = (): Promise<string[]> => Promise.reject(new CloudError('AuthFailed', 'no'));
    const throwing = (): Promise<string[]> => {
      throw new Error('sync');
    };
    await expect(lookupOr(rejecting, ['fallback'], 100, (r) => failures.push(r))).resolves.toEqual(['fallback']);
    await expect(lookupOr(throwing, [], 100, (r) => failures.push(r))).resolves.toEqual([]);
    expect(failures.map(describeFailure)).toEqual(['AuthFailed: no', 'sync']);
  });

  it('resolves to the fallback when the query outlasts the timeout, and ignores its late answer', async () => {
    const failures: unknown[] = [];
    const never = new Promise<string[]>(() => undefined);
    await expect(lookupOr(() => never, [], 20, (r) => failures.push(r))).resolves.toEqual([]);
    expect(failures.map(describeFailure)).toEqual(['timed out after 20 ms']);
  });
});
