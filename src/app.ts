// The Express application, without listen(): tests drive it through supertest.
import express, { type Express } from 'express';
import type { Container } from './container';
import { authenticate } from './http/auth';
import { bodyParser } from './http/body-parser';
import { chefCredentialsRouter } from './http/chef-credentials.router';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { healthRouter } from './http/health.router';
import { requestContext } from './http/request-context';
import { siteCredentialsRouter } from './http/site-credentials.router';
import { sitesRouter } from './http/sites.router';
import { tokensRouter } from './http/tokens.router';
import { domainsRouter } from './http/domains.router';
import { activitiesRouter } from './http/activities.router';
import { instancesRouter } from './http/instances.router';
import { launchConfigurationsRouter } from './http/launch-configurations.router';
import { sensorsRouter } from './http/sensors.router';
import { openTsdbRouter } from './http/opentsdb.router';
import { httpMetrics } from './metrics/http-metrics';
import { metricsRouter } from './metrics/metrics-endpoint';

/** A full tcollector batch or 10,000 points must fit, whatever the API's own body limit. */
const PUT_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

export function createApp(c: Container): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', c.config.trustProxy);
  // The default "extended" parser builds nested objects from `a[b]=c`; the API needs flat strings.
  app.set('query parser', 'simple');

  app.use(requestContext(c.logger));
  if (c.metrics) app.use(httpMetrics(c.metrics));
  // On the main port only with a token; without one, metrics are served on their own listener only.
  if (c.metrics && c.config.metrics?.token) app.use(metricsRouter(c.metrics, c.config.metrics.token));
  app.use(healthRouter(c.db));

  const auth = authenticate(c.tokens);
  const api = express.Router();
  api.use(bodyParser(c.config.bodyLimitBytes));
  api.use(tokensRouter(c.tokens, auth));
  api.use(auth);
  // Resource routers, behind authentication.
  // <sites-credentials routers>
  // Site credentials first: its POST /sites/credentials must win over GET /sites/{id}.
  api.use(siteCredentialsRouter(c.siteCredentials));
  api.use(chefCredentialsRouter(c.chefCredentials));
  api.use(sitesRouter(c.sites));
  // <lc-domains-instances-sensors routers>
  api.use(launchConfigurationsRouter(c.launchConfigurations));
  api.use(domainsRouter(c.domains));
  api.use(activitiesRouter(c.activities));
  api.use(instancesRouter(c.instances));
  api.use(sensorsRouter(c.sensors));
  app.use('/api/dev', api);
  // OpenTSDB's own path, where agents push metrics; authenticated like the API.
  app.use('/api/put', bodyParser(Math.max(c.config.bodyLimitBytes, PUT_BODY_LIMIT_BYTES)), auth, openTsdbRouter(c.sensorIngest));

  app.use(notFoundHandler);
  app.use(errorHandler(c.logger));
  return app;
}
