/** What every route plugin gets: storage, configuration and derived settings. */
import type { ServerConfig } from './config.js';
import type { Coordinator } from './modules/coordinator/coordinator.js';
import type { Database } from './store/database.js';

export interface AppContext {
  readonly db: Database;
  readonly config: ServerConfig;
  /** The public origin browsers use (WebAuthn relying party, CORS). */
  readonly origin: string;
  /** Cookies carry `Secure` when the public origin is https. */
  readonly secureCookies: boolean;
  /**
   * The coordinator and its relay (modules/coordinator), started by `startServer`. Absent in
   * tests that do not need nodes: node status then reads "disconnected" and
   * GET /v1/coordinator answers UNAVAILABLE.
   */
  readonly coordinator?: Coordinator;
  /** Polls the background-job queue now (after a route queued a job); absent: no runner. */
  readonly wakeJobs?: () => void;
}
