// The Glance v2 calls Phantom needs: list images, and find one by id or name.
import { z } from 'zod';
import type { SiteCredentials } from '../cloud-driver';
import type { OpenStackApi } from './api';
import { parseResponse as parse } from './classify';
import { collectPages, markerOfHref, PAGE_SIZE } from './pagination';

const imageSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  status: z.string().optional(),
  visibility: z.string().optional(),
  owner: z.string().nullish(),
});
const imagesPage = z.object({ images: z.array(imageSchema), next: z.string().optional() });

export type GlanceImage = z.infer<typeof imageSchema>;

export class Glance {
  constructor(private readonly api: OpenStackApi) {}

  /** Every image the credentials can see (Glance's default: public, own, shared and accepted). */
  listImages(creds: SiteCredentials, filter: { name?: string } = {}): Promise<GlanceImage[]> {
    const what = 'list images';
    return collectPages(what, async (marker) => {
      const { body } = await this.api.call(creds, 'image', 'GET', '/v2/images', {
        what,
        query: { limit: String(PAGE_SIZE), marker, name: filter.name },
      });
      const page = parse(imagesPage, body, what);
      return { items: page.images, next: markerOfHref(page.next) };
    });
  }

  /** The image, or null when there is none with that id (or it is not visible to the caller). */
  async getImage(creds: SiteCredentials, id: string): Promise<GlanceImage | null> {
    const what = 'get image';
    const res = await this.api.call(creds, 'image', 'GET', `/v2/images/${encodeURIComponent(id)}`, { what, allow404: true });
    return res.status === 404 ? null : parse(imageSchema, res.body, what);
  }
}
