// `npm run bench [-- api engine ingest]`: runs each benchmark in its own process (so one's memory
// and timers never colour another's), prints one table, and appends one JSON line per benchmark to
// bench/results.jsonl with the date, commit and machine. `npm run bench` builds first.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ALL = ['api', 'engine', 'ingest'];
const requested = process.argv.slice(2);
const unknown = requested.filter((b) => !ALL.includes(b));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')} (known: ${ALL.join(', ')})`);
  process.exit(2);
}
const chosen = requested.length > 0 ? requested : ALL;

function commit() {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: here, encoding: 'utf8' }).trim() !== '';
    return { commit: head, dirty };
  } catch {
    return { commit: 'unknown', dirty: null };
  }
}

/** Runs bench/<name>.mjs; its stdout is one JSON document. */
function runScript(name) {
  // ingest.mjs defaults to 10 s; a shorter run keeps the whole table within a minute or two.
  const env = { ...process.env, BENCH_SECONDS: process.env.BENCH_SECONDS ?? (name === 'ingest' ? '5' : '3') };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', join(here, `${name}.mjs`)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench/${name}.mjs exited with ${code}`));
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`bench/${name}.mjs printed no JSON document:\n${out}`));
      }
    });
  });
}

const fmt = (v) => (v === undefined || v === null ? '' : String(v));

/** Flattens a benchmark's document into table rows: [measurement, value, p50, p99, ceiling, ratio]. */
const ROWS = {
  api: (r) =>
    r.runs.flatMap((run) =>
      run.rows.map((row) => [
        `${run.database}: ${row.endpoint} ×${row.connections}${row.body_bytes ? ` (${row.body_bytes} B)` : ''}`,
        `${row.phantom.requests_per_second} ${row.phantom.unit ?? 'req'}/s${row.phantom.failed ? ` (${row.phantom.failed} failed)` : ''}`,
        row.phantom.p50_ms,
        row.phantom.p99_ms,
        row.bare ? `${row.bare.requests_per_second} req/s` : '',
        row.ratio,
      ]),
    ),
  engine: (r) => r.rows.map((row) => [row.measurement, row.value, row.p50_ms, row.p99_ms, '', row.target ?? '']),
  ingest: (r) => [
    [`POST /api/put ×${r.connections} (${r.points_per_request} points/request)`, `${r.points_per_second} points/s${r.requests_failed ? ` (${r.requests_failed} failed)` : ''}`, r.latency_ms.p50, r.latency_ms.p99, '', ''],
  ],
};

const meta = { date: new Date().toISOString(), ...commit(), machine: machine() };
const table = [];
let failed = false;
for (const name of chosen) {
  process.stderr.write(`\n=== bench ${name} ===\n`);
  try {
    const figures = await runScript(name);
    appendFileSync(join(here, 'results.jsonl'), `${JSON.stringify({ ...meta, benchmark: name, figures })}\n`);
    table.push(...ROWS[name](figures));
  } catch (err) {
    failed = true;
    console.error(String(err));
    table.push([`${name}: FAILED`, '', '', '', '', '']);
  }
}

const header = ['Measurement', 'Phantom', 'p50 ms', 'p99 ms', 'Ceiling', 'Ratio / target'];
const m = meta.machine;
console.log(`\n${meta.date} · commit ${meta.commit.slice(0, 12)}${meta.dirty ? ' (dirty tree)' : ''} · ${m.cpus} cores, ${m.total_memory_mb} MB, node ${m.node}\n`);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const row of table) console.log(`| ${row.map(fmt).join(' | ')} |`);
process.exit(failed ? 1 : 0);
