// The Express application, without listen(): tests drive it through supertest.
import express, { type Express } from 'express';
import type { Container } from './container';
import { authenticate } from './http/auth';
import { bodyParser } from './http/body-parser';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { healthRouter } from './http/health.router';
import { requestContext } from './http/request-context';
import { tokensRouter } from './http/tokens.router';

export function createApp(c: Container): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', c.config.trustProxy);
  // The default "extended" parser builds nested objects from `a[b]=c`; the API needs flat strings.
  app.set('query parser', 'simple');

  app.use(requestContext(c.logger));
  app.use(healthRouter(c.db));

  const auth = authenticate(c.tokens);
  const api = express.Router();
  api.use(bodyParser(c.config.bodyLimitBytes));
  api.use(tokensRouter(c.tokens, auth));
  api.use(auth);
  // Resource routers, behind authentication.
  // <sites-credentials routers>
  // <lc-domains-instances-sensors routers>
  app.use('/api/dev', api);

  app.use(notFoundHandler);
  app.use(errorHandler(c.logger));
  return app;
}
