// Helpers the benchmark scripts share: a server on a temporary database, a logged-in user, and
// autocannon runs reduced to the figures the table shows. Progress goes to stderr; each script prints
// one JSON document on stdout, which bench/run.mjs reads.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../dist/config.js';
import { startServer } from '../dist/server.js';

export const BENCH_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

export function progress(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

/**
 * Starts the built server on an ephemeral port over a fresh SQLite database (or `databaseUrl`, e.g.
 * PostgreSQL). `sites` is a sites-file array; `env` overrides the rest of the configuration.
 */
export async function startBenchServer({ databaseUrl, sites, env = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-bench-'));
  const sitesEnv = {};
  if (sites) {
    const file = join(dir, 'sites.json');
    writeFileSync(file, JSON.stringify({ sites }));
    sitesEnv.PHANTOM_SITES_FILE = file;
  }
  const config = loadConfig({
    DATABASE_URL: databaseUrl ?? `file:${join(dir, 'phantom.db')}`,
    PHANTOM_DATA_DIR: dir,
    PHANTOM_SECRET_KEY: randomBytes(32).toString('hex'),
    PORT: '0',
    LOG_LEVEL: 'silent',
    PHANTOM_ENGINE: 'false',
    ...sitesEnv,
    ...env,
  });
  const running = await startServer(config);
  return {
    running,
    container: running.container,
    base: `http://127.0.0.1:${running.port}`,
    dir,
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates a user and logs in over HTTP; returns the Basic header value. */
export async function benchUser(server, prefix = 'bench') {
  const username = `${prefix}-${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const { id } = await server.container.users.create(username, password);
  const res = await fetch(`${server.base}/api/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }).toString(),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const { token } = await res.json();
  return { id, username, password, token, authorization: `Basic ${Buffer.from(`${id}:${token}`).toString('base64')}` };
}

/** A JSON request that must succeed; returns the parsed body (null for 204). */
export async function call(base, authorization, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

/** Runs autocannon and keeps what the table needs. */
export async function cannon(options) {
  const r = await autocannon({ duration: BENCH_SECONDS, ...options });
  return {
    connections: options.connections,
    seconds: r.duration,
    requests_per_second: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    ok: r['2xx'],
    failed: r.non2xx + r.errors + r.timeouts,
  };
}

export function machine() {
  return { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? 'unknown', total_memory_mb: Math.round(os.totalmem() / 2 ** 20), node: process.version, platform: `${os.platform()} ${os.release()}` };
}

export function rssMb() {
  return Math.round(process.memoryUsage().rss / 2 ** 20);
}

/** Prints the script's result document (the contract with bench/run.mjs). */
export function emit(result) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
