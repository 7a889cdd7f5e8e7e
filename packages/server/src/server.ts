/**
 * Starting the server as a process: open the database (PGlite in `dataDir`, or
 * `DATABASE_URL`), run the migrations, prepare the first-run bootstrap, start the coordinator
 * (the relay signing nodes connect to) and the background-job runner, build the app and
 * listen. `close()` stops accepting requests, lets in-flight ones and running jobs finish,
 * stops the relay and closes the store.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import { publicOrigin, type ServerConfig } from './config.js';
import { createServerLogger } from './logger.js';
import { prepareBootstrap } from './modules/auth/bootstrap.js';
import { Coordinator } from './modules/coordinator/coordinator.js';
import { JobRunner } from './modules/jobs/job-runner.js';
import { WebhookDispatcher } from './modules/notifications/webhook-dispatcher.js';
import { Monitor } from './modules/monitor/monitor.js';
import { ExternalApprovalWorker } from './modules/external-approvers/worker.js';
import { externalDecisionHandler } from './modules/signing/external-answers.js';
import { SIGNING_JOB, signingJob } from './modules/signing/signing-job.js';
import { VAULT_KEYGEN_JOB, vaultKeygenJob } from './modules/vaults/keygen-job.js';
import { openDatabase, type Database } from './store/database.js';
import { migrate } from './store/migrations.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly db: Database;
  readonly url: string;
  readonly origin: string;
  readonly bootstrapped: boolean;
  readonly logger: Logger;
  readonly coordinator: Coordinator;
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
  let coordinator: Coordinator | undefined;
  let jobs: JobRunner | undefined;
  let webhooks: WebhookDispatcher | undefined;
  let monitor: Monitor | undefined;
  let external: ExternalApprovalWorker | undefined;
  try {
    const applied = await migrate(db);
    if (applied.length > 0) log.info({ applied }, 'database migrated');
    const { bootstrapped } = await prepareBootstrap(db, {
      dataDir,
      configuredToken: config.bootstrapToken,
      log,
    });
    coordinator = await Coordinator.start({
      db,
      host: config.relayHost,
      port: config.relayPort,
      publicUrl: config.relayPublicUrl,
      logger: log.child({ component: 'coordinator' }),
    });
    const jobLog = log.child({ component: 'jobs' });
    jobs = new JobRunner({
      db,
      logger: jobLog,
      handlers: {
        [VAULT_KEYGEN_JOB]: vaultKeygenJob({ db, coordinator, logger: jobLog }),
        [SIGNING_JOB]: signingJob({ db, coordinator, logger: jobLog }),
      },
    });
    const runner = jobs;
    webhooks = new WebhookDispatcher({
      db,
      logger: log.child({ component: 'webhooks' }),
      allowPrivateDestinations: config.outboundAllowPrivate,
    });
    const dispatcher = webhooks;
    monitor = new Monitor({ db, logger: log.child({ component: 'monitor' }) });
    const watcher = monitor;
    external = new ExternalApprovalWorker({
      db,
      logger: log.child({ component: 'external-approvers' }),
      outcomes: externalDecisionHandler,
      onSigningQueued: () => runner.wake(),
      allowPrivateDestinations: config.outboundAllowPrivate,
    });
    const caller = external;
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
        coordinator,
        wakeJobs: () => runner.wake(),
      },
      { logger: log },
    );
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    origin = publicOrigin(config, port);
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    runner.start();
    dispatcher.start();
    watcher.start();
    caller.start();
    log.info(
      { url, origin, store: db.dialect, relay: coordinator.relayUrl },
      'coffer server listening',
    );
    return {
      app,
      db,
      url,
      origin,
      bootstrapped,
      logger: log,
      coordinator,
      async close() {
        await app.close();
        // Stop taking jobs, then end running sessions' waits, then let the jobs record that.
        const stopped = runner.stop();
        await coordinator?.close();
        await stopped;
        await dispatcher.stop();
        await watcher.stop();
        await caller.stop();
        await db.close();
      },
    };
  } catch (error) {
    await jobs?.stop().catch(() => undefined);
    await webhooks?.stop().catch(() => undefined);
    await monitor?.stop().catch(() => undefined);
    await external?.stop().catch(() => undefined);
    await coordinator?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw error;
  }
}
