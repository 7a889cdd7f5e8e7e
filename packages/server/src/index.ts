/**
 * @coffer/server: the coordinator and HTTP API (ARCHITECTURE.md, "server"). It never holds
 * a key share: it stores public data, checks who may do what, and asks the signing nodes.
 */
export { buildApp, type BuildAppOptions } from './app.js';
export type { AppContext } from './app-context.js';
export { loadServerConfig, ConfigError, ServerConfig } from './config.js';
export { startServer, type RunningServer } from './server.js';
export { openDatabase, type Database, type Queryable } from './store/database.js';
export { migrate, MigrationError } from './store/migrations.js';
export { createServerLogger } from './logger.js';
export { BOOTSTRAP_TOKEN_FILE } from './modules/auth/bootstrap.js';
