/** What every route plugin gets: storage, configuration and derived settings. */
import type { ServerConfig } from './config.js';
import type { Database } from './store/database.js';

export interface AppContext {
  readonly db: Database;
  readonly config: ServerConfig;
  /** The public origin browsers use (WebAuthn relying party, CORS). */
  readonly origin: string;
  /** Cookies carry `Secure` when the public origin is https. */
  readonly secureCookies: boolean;
}
