/**
 * Starting the server as a process: open the database (PGlite in `dataDir`, or
 * `DATABASE_URL`), run the migrations, prepare the first-run bootstrap, build the app and
 * listen. `close()` stops accepting requests, lets in-flight ones finish and closes the store.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import { publicOrigin, type ServerConfig } from './config.js';
import { createServerLogger } from './logger.js';
import { prepareBootstrap } from './modules/auth/bootstrap.js';
import { openDatabase, type Database } from './store/database.js';
import { migrate } from './store/migrations.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly db: Database;
  readonly url: string;
  readonly origin: string;
  readonly bootstrapped: boolean;
  readonly logger: Logger;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, logger?: Logger): Promise<RunningServer> {
  const log = logger ?? createServerLogger(config.logLevel);
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: join(dataDir, 'pglite'),
  });
  try {
    const applied = await migrate(db);
    if (applied.length > 0) log.info({ applied }, 'database migrated');
    const { bootstrapped } = await prepareBootstrap(db, {
      dataDir,
      configuredToken: config.bootstrapToken,
      log,
    });
    // The origin depends on the bound port when it is not configured: listen first.
    let origin = config.publicOrigin ?? '';
    const app = await buildApp(
      {
        db,
        config: { ...config, dataDir },
        get origin() {
          return origin;
        },
        get secureCookies() {
          return origin.startsWith('https:');
        },
      },
      { logger: log },
    );
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    origin = publicOrigin(config, port);
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    log.info({ url, origin, store: db.dialect }, 'coffer server listening');
    return {
      app,
      db,
      url,
      origin,
      bootstrapped,
      logger: log,
      async close() {
        await app.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}
