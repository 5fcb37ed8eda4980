// The chaos run's short form (the full one is `npm run chaos`): two SIGKILLs of a real server process
// under churn on the simulated clouds with failure injection, then no leaked VM, no domain above its
// target, and no 2xx answer whose effect was lost. Needs the build (npm test builds first).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const CHAOS = join(__dirname, '..', '..', 'bench', 'chaos.mjs');

interface ChaosResult {
  pass: boolean;
  leaked?: number;
  domains_over_target?: number;
  violations: string[];
  error?: string;
}

function runChaos(env: Record<string, string>): Promise<ChaosResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHAOS], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', () => {
      try {
        resolve(JSON.parse(out) as ChaosResult);
      } catch {
        reject(new Error(`chaos printed no result:\n${out}\n${err}`));
      }
    });
  });
}

describe('chaos, short form', () => {
  it('leaks no VM, keeps every domain at or under its target and loses no 2xx effect across two SIGKILLs', async () => {
    // A loaded CI machine may converge slower than the three ticks: that figure is the full run's.
    const result = await runChaos({ CHAOS_KILLS: '2', CHAOS_MAX_DOMAINS: '6', CHAOS_CONVERGENCE_TICKS: '20' });
    expect(result.error).toBeUndefined();
    expect(result.violations).toEqual([]);
    expect(result.leaked).toBe(0);
    expect(result.domains_over_target).toBe(0);
  }, 120_000);
});
