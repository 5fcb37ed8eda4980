// Ingestion benchmark (not a test): starts the built server on a temporary SQLite database, pushes
// OpenTSDB batches to POST /api/put with autocannon for a while, and prints the points/s stored.
// Run with `npm run bench:ingest` (builds first). Options: BENCH_SECONDS (10), BENCH_BATCH (500
// points per request), BENCH_CONNECTIONS (8).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../dist/config.js';
import { startServer } from '../dist/server.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const batch = Number(process.env.BENCH_BATCH ?? 500);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);

const dir = mkdtempSync(join(tmpdir(), 'phantom-bench-'));
const config = loadConfig({
  DATABASE_URL: `file:${join(dir, 'phantom.db')}`,
  PHANTOM_DATA_DIR: dir,
  PORT: '0',
  LOG_LEVEL: 'silent',
  PHANTOM_ENGINE: 'off',
});
const running = await startServer(config);
const base = `http://127.0.0.1:${running.port}`;
try {
  const { id } = await running.container.users.create('bench', 'bench-password-1');
  const login = await fetch(`${base}/api/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=bench&password=bench-password-1',
  });
  const { token } = await login.json();
  const now = Math.floor(Date.now() / 1000);
  // 100 hosts × 5 metrics, the shape of a fleet of tcollectors.
  const points = Array.from({ length: batch }, (_, i) => ({
    metric: `proc.loadavg.${['1min', '5min', '15min', 'runnable', 'total_threads'][i % 5]}`,
    timestamp: now - (i % 60),
    value: (i % 97) / 10,
    tags: { host: `vm-${Math.floor(i / 5) % 100}.bench.local` },
  }));
  const result = await autocannon({
    url: `${base}/api/put`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { authorization: `Basic ${Buffer.from(`${id}:${token}`).toString('base64')}`, 'content-type': 'application/json' },
    body: JSON.stringify(points),
  });
  const stored = await running.container.db.sensorSample.count();
  const ok = result['2xx'];
  console.log(
    JSON.stringify(
      {
        seconds: result.duration,
        connections,
        points_per_request: batch,
        requests_ok: ok,
        requests_failed: result.non2xx + result.errors,
        points_stored: stored,
        points_per_second: Math.round(stored / result.duration),
        latency_ms: { p50: result.latency.p50, p99: result.latency.p99 },
      },
      null,
      2,
    ),
  );
} finally {
  await running.stop();
  rmSync(dir, { recursive: true, force: true });
}
