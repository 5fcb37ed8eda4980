// API benchmark (not a test). On the built app over a temporary SQLite database (and PostgreSQL too
// when BENCH_DATABASE_URL is set), with the engine off: authenticated GET /api/dev/domains (a user
// with 100 domains) and GET /api/dev/domains/{id} at 1, 16 and 64 connections, each next to a bare
// Express endpoint on another port sending a JSON body of the same size (the ceiling); then
// POST /api/dev/token and a launch configuration created then deleted.
// Run alone with `npm run bench:api`. Options: BENCH_SECONDS (3 per measurement), BENCH_DOMAINS (100).
import { once } from 'node:events';
import express from 'express';
import { BENCH_SECONDS, benchUser, call, cannon, emit, progress, startBenchServer } from './lib.mjs';

const DOMAINS = Number(process.env.BENCH_DOMAINS ?? 100);
const LEVELS = [1, 16, 64];

function lcBody(name) {
  return {
    name,
    contextualization_method: 'none',
    cloud_params: {
      hotel: { image_id: 'hello-cloud', instance_type: 'm1.small', max_vms: 16, common: true, rank: 1 },
      sierra: { image_id: 'hello-cloud', instance_type: 'm1.small', max_vms: -1, common: true, rank: 2 },
    },
  };
}

/** A user with DOMAINS multicloud domains on one launch configuration; returns one domain's id. */
async function seed(server, user) {
  const lc = await call(server.base, user.authorization, 'POST', '/api/dev/launchconfigurations', lcBody('bench-lc'));
  let id = '';
  for (let i = 0; i < DOMAINS; i++) {
    const body = { name: `bench-domain-${i}`, de_name: 'multicloud', lc_name: lc.name, monitor_sensors: '', monitor_domain_sensors: '', vm_count: 2 };
    ({ id } = await call(server.base, user.authorization, 'POST', '/api/dev/domains', body));
  }
  return id;
}

/** The ceiling: Express alone, serialising a body of the same size the same way Phantom does. */
async function startBare(payloads) {
  const app = express();
  app.disable('x-powered-by');
  for (const [path, payload] of Object.entries(payloads)) {
    app.get(path, (_req, res) => {
      res.status(200).type('application/json').send(JSON.stringify(payload));
    });
  }
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { base: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

async function readEndpoints(server, user, domainId) {
  const endpoints = [
    { name: 'GET /api/dev/domains', path: '/api/dev/domains', barePath: '/domains' },
    { name: 'GET /api/dev/domains/{id}', path: `/api/dev/domains/${domainId}`, barePath: '/domain' },
  ];
  const payloads = {};
  for (const e of endpoints) {
    const res = await fetch(`${server.base}${e.path}`, { headers: { authorization: user.authorization } });
    const text = await res.text();
    e.bytes = Buffer.byteLength(text);
    payloads[e.barePath] = JSON.parse(text);
  }
  const bare = await startBare(payloads);
  const rows = [];
  try {
    for (const e of endpoints) {
      const bareBytes = Buffer.byteLength(await (await fetch(`${bare.base}${e.barePath}`)).text());
      for (const connections of LEVELS) {
        progress(`${e.name} at ${connections} connections`);
        const phantom = await cannon({ url: `${server.base}${e.path}`, connections, headers: { authorization: user.authorization } });
        const ceiling = await cannon({ url: `${bare.base}${e.barePath}`, connections });
        rows.push({
          endpoint: e.name,
          body_bytes: e.bytes,
          bare_body_bytes: bareBytes,
          connections,
          phantom,
          bare: ceiling,
          ratio: Number((phantom.requests_per_second / ceiling.requests_per_second).toFixed(3)),
        });
      }
    }
  } finally {
    await bare.close();
  }
  return rows;
}

/** Logins with correct credentials (only failures are throttled); each one hashes with scrypt. */
async function tokenEndpoint(server) {
  const user = await benchUser(server, 'bench-login');
  const body = new URLSearchParams({ username: user.username, password: user.password }).toString();
  const rows = [];
  for (const connections of [1, 16]) {
    progress(`POST /api/dev/token at ${connections} connections`);
    const r = await cannon({ url: `${server.base}/api/dev/token`, method: 'POST', connections, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    rows.push({ endpoint: 'POST /api/dev/token', connections, phantom: r });
  }
  return rows;
}

/** One POST then one DELETE per connection in turn; figures are per pair. */
async function launchConfigurationCycle(server, user) {
  let n = 0;
  const rows = [];
  for (const connections of [1, 16]) {
    progress(`launch configuration create+delete at ${connections} connections`);
    const r = await cannon({
      url: server.base,
      connections,
      headers: { authorization: user.authorization, 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          path: '/api/dev/launchconfigurations',
          setupRequest: (req) => ({ ...req, body: JSON.stringify(lcBody(`cycle-${n++}`)) }),
          onResponse: (status, body, context) => {
            context.lcId = status === 201 ? JSON.parse(body).id : 'missing';
          },
        },
        { method: 'DELETE', setupRequest: (req, context) => ({ ...req, path: `/api/dev/launchconfigurations/${context.lcId}` }) },
      ],
    });
    rows.push({
      endpoint: 'POST+DELETE /api/dev/launchconfigurations',
      connections,
      phantom: { ...r, requests_per_second: Math.round(r.requests_per_second / 2), unit: 'pairs' },
    });
  }
  return rows;
}

async function benchDatabase(label, databaseUrl) {
  progress(`API benchmark on ${label}`);
  const server = await startBenchServer({ databaseUrl });
  try {
    const user = await benchUser(server);
    const domainId = await seed(server, user);
    const reads = await readEndpoints(server, user, domainId);
    const writes = await launchConfigurationCycle(server, user);
    const logins = await tokenEndpoint(server);
    return { database: label, domains: DOMAINS, rows: [...reads, ...writes, ...logins] };
  } finally {
    await server.stop();
  }
}

const runs = [await benchDatabase('sqlite')];
if (process.env.BENCH_DATABASE_URL) runs.push(await benchDatabase('postgres', process.env.BENCH_DATABASE_URL));
emit({ benchmark: 'api', seconds_per_measurement: BENCH_SECONDS, runs });
