import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SiteEntry {
  id: string;
  driver?: string;
  instance_types?: string[];
  options?: Record<string, unknown>;
}

/** Writes a sites file to a fresh temporary directory; returns env for createHarness. */
export function sitesFileEnv(sites: SiteEntry[]): Record<string, string> {
  const file = join(mkdtempSync(join(tmpdir(), 'phantom-sites-')), 'sites.json');
  const full = sites.map((s) => ({ driver: 'simulated', instance_types: ['m1.small', 'm1.large'], options: {}, ...s }));
  writeFileSync(file, JSON.stringify({ sites: full }));
  return { PHANTOM_SITES_FILE: file };
}
