// Runs the HTTP server until SIGTERM/SIGINT, then drains: stop accepting, finish in-flight requests,
// close the database.
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { createApp } from './app';
import { handleClientError } from './http/client-error';
import type { Config } from './config';
import { createContainer, type Container } from './container';
import { migrate } from './db/migrator';
import { startMetricsServer } from './metrics/metrics-endpoint';

export interface RunningServer {
  server: Server;
  container: Container;
  port: number;
  /** The metrics listener's port, when PHANTOM_METRICS_PORT is set. */
  metricsPort: number | null;
  stop(): Promise<void>;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const applied = await migrate(config.database.kind, config.database.url);
  const container = await createContainer(config);
  const { logger } = container;
  if (applied.length > 0) logger.info({ applied }, 'database migrations applied');

  const app = createApp(container);
  let draining = false;
  const server = createServer();
  // While draining, every response closes its connection, so a proxy's (or client's) next request
  // opens a new one, which is refused and goes to another replica instead of racing the close.
  server.on('request', (_req, res) => {
    if (draining) res.setHeader('Connection', 'close');
  });
  server.on('request', app);
  server.on('clientError', handleClientError);
  server.keepAliveTimeout = 65_000; // longer than common proxies' idle timeouts
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolveListen());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ host: config.host, port, database: config.database.kind }, 'phantom listening');
  let metricsListener: Awaited<ReturnType<typeof startMetricsServer>> | null = null;
  if (container.metrics && config.metrics?.port != null) {
    try {
      metricsListener = await startMetricsServer(container.metrics, { ...config.metrics, port: config.metrics.port, logger });
    } catch (err) {
      // A half-started process would keep serving without the metrics its operator asked for.
      server.close();
      await container.close();
      throw err;
    }
  }
  container.startBackground();

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info('shutting down: draining in-flight requests');
      draining = true;
      metricsListener?.server.close();
      metricsListener?.server.closeAllConnections();
      // The engine finishes its pass in flight (and gives its leases back) before the database closes.
      const engineStopped = container.engine.stop();
      const closed = new Promise<void>((r) => server.close(() => r()));
      // Keep-alive connections become idle as their last response completes; close them as they do.
      const sweeper = setInterval(() => server.closeIdleConnections(), 100);
      server.closeIdleConnections();
      const timer = setTimeout(() => sockets.forEach((s) => s.destroy()), config.shutdownTimeoutSeconds * 1000);
      await closed;
      clearInterval(sweeper);
      clearTimeout(timer);
      await engineStopped;
      await container.close();
      logger.info('shutdown complete');
    })();
    return stopping;
  };
  return { server, container, port, metricsPort: metricsListener?.port ?? null, stop };
}
