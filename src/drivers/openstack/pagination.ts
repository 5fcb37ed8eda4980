// Nova (servers_links, flavors_links) and Glance (next) page with a marker. Only the marker is
// taken from the link: deployments behind proxies often put an internal host in it.
import { CloudError } from '../../errors';

/** Page size asked for; Nova caps it at its osapi_max_limit and still links the next page. */
export const PAGE_SIZE = 200;
/** A cloud that keeps linking pages (a bug or a loop) must not hold a pass forever. */
const MAX_PAGES = 500;

export function markerOfNextLink(links: { rel: string; href: string }[] | undefined): string | undefined {
  const next = links?.find((l) => l.rel === 'next')?.href;
  return next ? markerOfHref(next) : undefined;
}

export function markerOfHref(href: string | undefined): string | undefined {
  if (!href) return undefined;
  return new URL(href, 'http://relative.invalid').searchParams.get('marker') ?? undefined;
}

/** Fetches pages until one links no next page; `page(marker)` returns the items and next marker. */
export async function collectPages<T>(what: string, page: (marker: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const p = await page(marker);
    items.push(...p.items);
    if (!p.next || p.items.length === 0) return items;
    if (seen.has(p.next)) throw new CloudError('Unknown', `openstack ${what}: pagination loops at marker ${p.next}`);
    seen.add(p.next);
    marker = p.next;
  }
  throw new CloudError('Unknown', `openstack ${what}: more than ${MAX_PAGES} pages`);
}
