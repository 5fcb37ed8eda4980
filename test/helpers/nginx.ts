// Runs nginx as a child process with the repository's own proxy configuration (deploy/nginx), on
// loopback and plain HTTP, with its pid file, logs and temp files in a temporary directory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DEPLOY_NGINX = join(__dirname, '..', '..', 'deploy', 'nginx');

/** The nginx binary, or null when it is not installed (.ci/run installs it). */
export function findNginx(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  // /usr/sbin is not on every user's PATH.
  return ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find((p) => existsSync(p)) ?? null;
}

/** A port nothing listens on right now (the caller binds it soon after). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolvePort(port));
    });
  });
}

/**
 * The http-level part of deploy/nginx/phantom.conf (the upstream and the request-id map, i.e.
 * every top-level block but the `server` ones), with the upstream's replica ports replaced.
 */
export function httpBlocksFrom(conf: string, replicaPorts: number[], downPorts: number[] = []): string {
  const text = conf.replace(/#[^\n]*/g, '');
  const kept: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    if (depth === 0 && (ch === '}' || ch === ';')) {
      const item = text.slice(start, i + 1).trim();
      if (!/^server\s*\{/.test(item)) kept.push(item);
      start = i + 1;
    }
  }
  let n = 0;
  const out = kept.join('\n').replace(/server\s+127\.0\.0\.1:\d+([^;]*)/g, (_m, params: string) => {
    const p = replicaPorts[n++] ?? 0;
    return `server 127.0.0.1:${p}${params}${downPorts.includes(p) ? ' down' : ''}`;
  });
  if (n !== replicaPorts.length) throw new Error(`deploy/nginx/phantom.conf lists ${n} replicas; the test runs ${replicaPorts.length}`);
  return out;
}

/** The upstream's fail_timeout in deploy/nginx/phantom.conf: how long nginx skips a failed replica. */
export function shippedFailTimeoutSeconds(): number {
  const m = /fail_timeout=(\d+)s/.exec(readFileSync(join(DEPLOY_NGINX, 'phantom.conf'), 'utf8'));
  if (!m) throw new Error('deploy/nginx/phantom.conf sets no fail_timeout');
  return Number(m[1]);
}

export interface NginxOptions {
  replicaPorts: number[];
  /** Replicas taken out of rotation (`server … down`), as an operator does before restarting one. */
  downPorts?: number[];
  /** Source address of nginx's connections to the replicas (proxy_bind). */
  bindAddress: string;
}

export interface NginxProcess {
  port: number;
  url: string;
  dir: string;
  errorLog(): string;
  /** Rewrites the configuration with these replicas marked down and reloads nginx (SIGHUP). */
  setDown(ports: number[]): Promise<void>;
  stop(): Promise<void>;
}

function configText(dir: string, port: number, o: NginxOptions): string {
  const shipped = readFileSync(join(DEPLOY_NGINX, 'phantom.conf'), 'utf8');
  // As root, workers would switch to "nobody", which cannot write the temp directories here.
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  return `
worker_processes 1;
pid ${dir}/nginx.pid;
${user}
events { worker_connections 512; }
http {
  access_log ${dir}/access.log;
  error_log ${dir}/error.log warn;
  client_body_temp_path ${dir}/tmp/client_body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
${httpBlocksFrom(shipped, o.replicaPorts, o.downPorts ?? [])}
  server {
    listen 127.0.0.1:${port};
    proxy_bind ${o.bindAddress};
    include ${join(DEPLOY_NGINX, 'phantom-locations.conf')};
  }
}
`;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      r(true);
    });
    s.once('error', () => r(false));
  });
}

async function startOnce(nginx: string, o: NginxOptions): Promise<NginxProcess | null> {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, configText(dir, port, o));
  const child: ChildProcess = spawn(nginx, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: 'ignore' });
  let exited = false;
  const exit = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
  const errorLog = (): string => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '');
  const deadline = Date.now() + 10_000;
  while (!exited && !(await accepts(port))) {
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (exited || !(await accepts(port))) {
    child.kill('SIGTERM');
    await exit;
    // The port may have been taken between freePort() and nginx's bind: the caller tries again.
    if (/Address already in use/.test(errorLog())) return null;
    throw new Error(`nginx did not start:\n${errorLog()}`);
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    dir,
    errorLog,
    async setDown(ports: number[]) {
      writeFileSync(conf, configText(dir, port, { ...o, downPorts: ports }));
      child.kill('SIGHUP');
      // New workers take over with the new configuration; old ones finish their requests first.
      await new Promise((r) => setTimeout(r, 500));
    },
    async stop() {
      // SIGTERM: the master stops its workers and exits (SIGKILL would leave the workers running).
      if (!exited) child.kill('SIGTERM');
      await exit;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startNginx(nginx: string, o: NginxOptions): Promise<NginxProcess> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = await startOnce(nginx, o);
    if (started) return started;
  }
  throw new Error('nginx could not bind a free port');
}
