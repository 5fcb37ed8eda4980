// A local OpenTSDB 2.x answering POST /api/query: `tags: {host: "a|b"}` groups by host, dps keyed
// by timestamp (milliseconds when msResolution is asked for), 400 for a metric it never saw.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpenTsdbStub {
  url: string;
  /** metric → host → [ms timestamp, value][] */
  data: Map<string, Map<string, [number, number][]>>;
  queries: unknown[];
  close(): Promise<void>;
}

interface QueryBody {
  start: number;
  end: number;
  msResolution?: boolean;
  queries: { aggregator: string; metric: string; tags?: Record<string, string> }[];
}

export async function startOpenTsdbStub(): Promise<OpenTsdbStub> {
  const data = new Map<string, Map<string, [number, number][]>>();
  const queries: unknown[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/api/query') return reply(404, { error: { code: 404, message: 'Endpoint not found' } });
      const q = JSON.parse(Buffer.concat(chunks).toString('utf8')) as QueryBody;
      queries.push(q);
      const out: unknown[] = [];
      for (const sub of q.queries) {
        const byHost = data.get(sub.metric);
        if (!byHost) return reply(400, { error: { code: 400, message: `No such name for 'metrics': '${sub.metric}'` } });
        const [tagk, wanted] = Object.entries(sub.tags ?? {})[0] ?? ['host', '*'];
        const hosts = wanted === '*' ? [...byHost.keys()] : wanted.split('|');
        for (const host of hosts) {
          const points = (byHost.get(host) ?? []).filter(([ts]) => ts >= q.start && ts <= q.end);
          if (points.length === 0) continue;
          const dps = Object.fromEntries(points.map(([ts, v]) => [String(q.msResolution ? ts : Math.floor(ts / 1000)), v]));
          out.push({ metric: sub.metric, tags: { [tagk]: host }, aggregateTags: [], dps });
        }
      }
      reply(200, out);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, data, queries, close: () => new Promise((r) => server.close(() => r())) };
}
