// A local CloudWatch that answers GetMetricData the way the installed @aws-sdk/client-cloudwatch
// speaks it: AWS JSON 1.0 (POST /, X-Amz-Target GraniteServiceVersion20100801.GetMetricData,
// timestamps as epoch seconds), every request SigV4-signed with a known secret.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAuthorization, verifySignature } from './sigv4-verify';

export interface CloudWatchDatum {
  ts: Date;
  value: number;
}

export interface CloudWatchStub {
  url: string;
  /** InstanceId → MetricName → data, as the stub will report it. */
  data: Map<string, Map<string, CloudWatchDatum[]>>;
  /** Every GetMetricData body received, parsed. */
  calls: GetMetricDataBody[];
  close(): Promise<void>;
}

interface MetricDataQueryBody {
  Id: string;
  MetricStat?: { Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[] }; Period?: number; Stat?: string };
}

export interface GetMetricDataBody {
  MetricDataQueries: MetricDataQueryBody[];
  StartTime: number;
  EndTime: number;
}

const TARGET = 'GraniteServiceVersion20100801.GetMetricData';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startCloudWatchStub(keys: { accessKey: string; secretKey: string }): Promise<CloudWatchStub> {
  const data = new Map<string, Map<string, CloudWatchDatum[]>>();
  const calls: GetMetricDataBody[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const fail = (status: number, type: string, message: string): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: type, message }));
      };
      const auth = parseAuthorization(req.headers.authorization);
      if (!auth || auth.accessKey !== keys.accessKey) return fail(403, 'InvalidClientTokenId', 'missing or unknown SigV4 credentials');
      const why = verifySignature({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, auth, keys.secretKey);
      if (why) return fail(403, 'SignatureDoesNotMatch', why);
      if (req.headers['x-amz-target'] !== TARGET) return fail(400, 'InvalidAction', `unsupported target ${String(req.headers['x-amz-target'])}`);
      const parsed = JSON.parse(body) as GetMetricDataBody;
      calls.push(parsed);
      const start = parsed.StartTime * 1000;
      const end = parsed.EndTime * 1000;
      const results = parsed.MetricDataQueries.map((q) => {
        const instance = q.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === 'InstanceId')?.Value ?? '';
        const points = (data.get(instance)?.get(q.MetricStat?.Metric?.MetricName ?? '') ?? []).filter((p) => p.ts.getTime() >= start && p.ts.getTime() < end);
        return { Id: q.Id, Label: q.MetricStat?.Metric?.MetricName, Timestamps: points.map((p) => p.ts.getTime() / 1000), Values: points.map((p) => p.value), StatusCode: 'Complete' };
      });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ MetricDataResults: results, Messages: [] }));
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    data,
    calls,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
