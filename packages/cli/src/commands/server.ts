/**
 * `coffer server`: runs the Coffer server (packages/server `startServer`) from the
 * environment configuration (`loadServerConfig`; COFFER_HOST, COFFER_PORT, COFFER_DATA_DIR,
 * DATABASE_URL, …), with a few options that win over it, until SIGINT or SIGTERM, then
 * closes it cleanly (in-flight requests finish, the store closes). Logs are pino JSON lines
 * on stdout.
 */
import type { ServerConfig } from '@coffer/server';
import { parseOptions } from '../args.js';
import { nextShutdownSignal } from '../platform/signals.js';
import type { Command } from './index.js';

export const server: Command = {
  name: 'server',
  summary: 'run the Coffer server (HTTP API; long-running)',
  section: 'run',
  help: `Usage: coffer server [--host H] [--port P] [--data-dir DIR]

Runs the Coffer server until Ctrl-C (SIGINT) or SIGTERM. Configuration comes from the
environment (options below win):

  COFFER_HOST / --host          listen address (default 127.0.0.1)
  COFFER_PORT / --port          listen port, 0 = any free port (default 8740)
  COFFER_DATA_DIR / --data-dir  embedded PGlite data and the bootstrap token (default ./data)
  DATABASE_URL                  a PostgreSQL server instead of the embedded PGlite
  COFFER_PUBLIC_ORIGIN          the origin browsers use (default http://localhost:<port>)
  COFFER_CORS_ORIGINS           extra allowed origins, comma-separated
  COFFER_REGISTRATION           invite (default) or open
  COFFER_SESSION_TTL_HOURS      login session lifetime (default 12)
  COFFER_BOOTSTRAP_TOKEN        first-run owner token instead of a generated one
  COFFER_LOG_LEVEL              pino level (default info)

On first start, with no owner yet, it writes a one-time bootstrap token to
<data dir>/bootstrap-token (mode 0600); create the owner with "coffer bootstrap".
The API documentation is served at /docs, the OpenAPI document at /openapi.json.
For a whole local setup (server and three signing nodes) use "coffer up".
`,
  async run(args) {
    const o = parseOptions(args, {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
    });
    const overrides: Partial<ServerConfig> = {
      ...(o.host === undefined ? {} : { host: o.host }),
      ...(o.port === undefined ? {} : { port: Number(o.port) }),
      ...(o['data-dir'] === undefined ? {} : { dataDir: o['data-dir'] }),
    };
    // Loaded here, not at the top: other commands should not pay for the server's modules.
    const { loadServerConfig, startServer } = await import('@coffer/server');
    const running = await startServer(loadServerConfig(process.env, overrides));
    const signal = await nextShutdownSignal();
    running.logger.info({ signal }, 'coffer server stopping');
    await running.close();
    running.logger.info('coffer server stopped');
    return undefined;
  },
};
