// Reading the EC2 Query API's flattened, 1-indexed parameters: `InstanceId.1=…`,
// `Filter.1.Name=…&Filter.1.Value.1=…`, `TagSpecification.1.Tag.1.Key=…`.

/** Thrown while handling a request; the stub answers with EC2's error document. */
export class Ec2Fault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Values of `prefix.1`, `prefix.2`, … in order, stopping at the first gap. */
export function list(p: URLSearchParams, prefix: string): string[] {
  const out: string[] = [];
  for (let n = 1; p.has(`${prefix}.${n}`); n++) out.push(p.get(`${prefix}.${n}`) ?? '');
  return out;
}

export function filters(p: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let n = 1; p.has(`Filter.${n}.Name`); n++) out.set(p.get(`Filter.${n}.Name`) ?? '', list(p, `Filter.${n}.Value`));
  return out;
}

/** Tags for `resourceType` from TagSpecification.N. */
export function tagSpecifications(p: URLSearchParams, resourceType: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let n = 1; p.has(`TagSpecification.${n}.ResourceType`); n++) {
    if (p.get(`TagSpecification.${n}.ResourceType`) !== resourceType) continue;
    for (let t = 1; p.has(`TagSpecification.${n}.Tag.${t}.Key`); t++) {
      tags[p.get(`TagSpecification.${n}.Tag.${t}.Key`) ?? ''] = p.get(`TagSpecification.${n}.Tag.${t}.Value`) ?? '';
    }
  }
  return tags;
}

export function required(p: URLSearchParams, name: string): string {
  const v = p.get(name);
  if (v === null || v === '') throw new Ec2Fault('MissingParameter', `The request must contain the parameter ${name}`);
  return v;
}

/** MaxResults as EC2 bounds it (5..1000), or undefined when absent. */
export function maxResults(p: URLSearchParams): number | undefined {
  const raw = p.get('MaxResults');
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 5 || n > 1000) {
    throw new Ec2Fault('InvalidParameterValue', `Value ( ${raw} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
  }
  return n;
}

/** NextToken is opaque to clients; the stub's is a base64 offset. */
export function pageStart(p: URLSearchParams): number {
  const token = p.get('NextToken');
  if (token === null || token === '') return 0;
  const n = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(n) || n < 0) throw new Ec2Fault('InvalidParameterValue', 'The token is not valid');
  return n;
}

export function nextToken(offset: number): string {
  return Buffer.from(String(offset), 'utf8').toString('base64url');
}
