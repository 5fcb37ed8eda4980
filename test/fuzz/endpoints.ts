// Every route the server answers, with the methods it serves and the kind of body it reads.

export type Family = 'token' | 'site-credentials' | 'chef-credentials' | 'launch-configurations' | 'domains' | 'put' | 'none';

export interface Endpoint {
  template: string;
  /** Path parameter kinds, in order, for the `:name` placeholders of `template`. */
  params: string[];
  methods: readonly ('GET' | 'POST' | 'PUT' | 'DELETE')[];
  family: Family;
}

export const ENDPOINTS: readonly Endpoint[] = [
  { template: '/api/dev/token', params: [], methods: ['POST', 'DELETE'], family: 'token' },
  { template: '/api/dev/sites', params: [], methods: ['GET'], family: 'none' },
  { template: '/api/dev/sites/:site', params: ['site'], methods: ['GET'], family: 'none' },
  { template: '/api/dev/sites/credentials', params: [], methods: ['POST'], family: 'site-credentials' },
  { template: '/api/dev/credentials/sites', params: [], methods: ['GET', 'POST'], family: 'site-credentials' },
  { template: '/api/dev/credentials/sites/:site', params: ['site'], methods: ['GET', 'PUT', 'DELETE'], family: 'site-credentials' },
  { template: '/api/dev/credentials/chef', params: [], methods: ['GET', 'POST'], family: 'chef-credentials' },
  { template: '/api/dev/credentials/chef/:chef', params: ['chef'], methods: ['GET', 'PUT', 'DELETE'], family: 'chef-credentials' },
  { template: '/api/dev/launchconfigurations', params: [], methods: ['GET', 'POST'], family: 'launch-configurations' },
  { template: '/api/dev/launchconfigurations/:lc', params: ['lc'], methods: ['GET', 'PUT', 'DELETE'], family: 'launch-configurations' },
  { template: '/api/dev/domains', params: [], methods: ['GET', 'POST'], family: 'domains' },
  { template: '/api/dev/domains/:domain', params: ['domain'], methods: ['GET', 'PUT', 'DELETE'], family: 'domains' },
  { template: '/api/dev/domains/:domain/instances', params: ['domain'], methods: ['GET'], family: 'none' },
  { template: '/api/dev/domains/:domain/instances/:instance', params: ['domain', 'instance'], methods: ['GET', 'DELETE'], family: 'none' },
  { template: '/api/dev/domains/:domain/activities', params: ['domain'], methods: ['GET'], family: 'none' },
  { template: '/api/dev/sensors', params: [], methods: ['GET'], family: 'none' },
  { template: '/api/dev/sensors/:sensor', params: ['sensor'], methods: ['GET'], family: 'none' },
  { template: '/api/put', params: [], methods: ['POST'], family: 'put' },
  { template: '/healthz', params: [], methods: ['GET'], family: 'none' },
  { template: '/readyz', params: [], methods: ['GET'], family: 'none' },
  { template: '/api/dev/:unknown', params: ['unknown'], methods: ['GET', 'POST'], family: 'none' },
];
