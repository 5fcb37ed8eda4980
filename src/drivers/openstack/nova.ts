// The Nova compute v2.1 calls Phantom needs: servers, flavors and key pairs.
import { z } from 'zod';
import type { SiteCredentials } from '../cloud-driver';
import type { OpenStackApi } from './api';
import { parseResponse as parse } from './classify';
import { collectPages, markerOfNextLink, PAGE_SIZE } from './pagination';
import { serverSchema, type NovaServer } from './server-mapping';

const linksSchema = z.array(z.object({ rel: z.string(), href: z.string() })).optional();
const serversPage = z.object({ servers: z.array(serverSchema), servers_links: linksSchema });
const flavorsPage = z.object({ flavors: z.array(z.object({ id: z.string(), name: z.string() })), flavors_links: linksSchema });
const keypairs = z.object({ keypairs: z.array(z.object({ keypair: z.object({ name: z.string() }) })) });
const created = z.object({ server: z.object({ id: z.string() }) });
const oneServer = z.object({ server: serverSchema });

export interface Flavor {
  id: string;
  name: string;
}

export interface CreateServer {
  name: string;
  imageRef: string;
  flavorRef: string;
  keyName?: string;
  /** Already base64. */
  userData?: string;
  metadata: Record<string, string>;
}


export class Nova {
  constructor(private readonly api: OpenStackApi) {}

  /** Every server the credentials can see, optionally narrowed by Nova's `name` regex filter. */
  listServers(creds: SiteCredentials, nameRegex?: string): Promise<NovaServer[]> {
    const what = 'list servers';
    return collectPages(what, async (marker) => {
      const { body } = await this.api.call(creds, 'compute', 'GET', '/servers/detail', {
        what,
        query: { limit: String(PAGE_SIZE), marker, name: nameRegex },
      });
      const page = parse(serversPage, body, what);
      return { items: page.servers, next: markerOfNextLink(page.servers_links) };
    });
  }

  /** The server, or null when Nova no longer knows it. */
  async getServer(creds: SiteCredentials, id: string): Promise<NovaServer | null> {
    const what = 'get server';
    const res = await this.api.call(creds, 'compute', 'GET', `/servers/${encodeURIComponent(id)}`, { what, allow404: true });
    return res.status === 404 ? null : parse(oneServer, res.body, what).server;
  }

  async createServer(creds: SiteCredentials, s: CreateServer): Promise<string> {
    const what = 'create server';
    const server = {
      name: s.name,
      imageRef: s.imageRef,
      flavorRef: s.flavorRef,
      metadata: s.metadata,
      ...(s.keyName ? { key_name: s.keyName } : {}),
      ...(s.userData ? { user_data: s.userData } : {}),
    };
    const { body } = await this.api.call(creds, 'compute', 'POST', '/servers', { what, body: { server }, notFound: 'InvalidRequest' });
    return parse(created, body, what).server.id;
  }

  /** Deletes a server; one already gone counts as deleted. */
  async deleteServer(creds: SiteCredentials, id: string): Promise<void> {
    await this.api.call(creds, 'compute', 'DELETE', `/servers/${encodeURIComponent(id)}`, { what: 'delete server', allow404: true });
  }

  listFlavors(creds: SiteCredentials): Promise<Flavor[]> {
    const what = 'list flavors';
    return collectPages(what, async (marker) => {
      const { body } = await this.api.call(creds, 'compute', 'GET', '/flavors', { what, query: { limit: String(PAGE_SIZE), marker } });
      const page = parse(flavorsPage, body, what);
      return { items: page.flavors, next: markerOfNextLink(page.flavors_links) };
    });
  }

  async listKeyPairs(creds: SiteCredentials): Promise<string[]> {
    const what = 'list key pairs';
    const { body } = await this.api.call(creds, 'compute', 'GET', '/os-keypairs', { what });
    return parse(keypairs, body, what).keypairs.map((k) => k.keypair.name);
  }
}
