// The operator's sites file (PHANTOM_SITES_FILE): which clouds Phantom serves and through which
// driver. Checked once at start; every problem is reported together.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export interface SiteDefinition {
  id: string;
  driver: string;
  instanceTypes: string[];
  /** Driver-specific; each driver validates its own (src/drivers/registry.ts). */
  options: Record<string, unknown>;
}

const SITE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

const siteSchema = z.object({
  id: z.string().regex(SITE_ID, 'must be 1-64 letters, digits, _ . : - (starting with a letter or digit)'),
  driver: z.string().min(1),
  instance_types: z.array(z.string().min(1)).min(1),
  options: z.record(z.string(), z.unknown()).default({}),
});

const fileSchema = z.object({ sites: z.array(siteSchema).min(1) });

/** The sites served when no file is configured: two simulated clouds, so a fresh install just works. */
export const DEFAULT_SITES: SiteDefinition[] = [
  { id: 'hotel', driver: 'simulated', instanceTypes: ['m1.small', 'm1.large', 'm1.xlarge'], options: {} },
  { id: 'sierra', driver: 'simulated', instanceTypes: ['m1.small', 'm1.large', 'm1.xlarge'], options: {} },
];

export class SitesFileError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`Invalid sites file ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SitesFileError';
  }
}

export function parseSites(file: string, text: string): SiteDefinition[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SitesFileError(file, [`not valid JSON: ${(err as Error).message}`]);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    throw new SitesFileError(file, parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`));
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const s of parsed.data.sites) {
    if (seen.has(s.id)) problems.push(`sites: duplicate site id ${s.id}`);
    seen.add(s.id);
  }
  if (problems.length > 0) throw new SitesFileError(file, problems);
  return parsed.data.sites.map((s) => ({ id: s.id, driver: s.driver, instanceTypes: s.instance_types, options: s.options }));
}

export function loadSites(file: string | null): SiteDefinition[] {
  if (!file) return DEFAULT_SITES;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SitesFileError(file, [`cannot read: ${(err as Error).message}`]);
  }
  return parseSites(file, text);
}
