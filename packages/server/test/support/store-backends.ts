/**
 * The two stores behind the `Database` seam, for tests that must hold on both (issue 5: "the
 * same store tests run against both"): embedded PGlite, and a real PostgreSQL 15 server
 * started for the test file (tests/support/postgres.ts; skipped loudly when Debian's
 * `postgresql` package is missing, a failure under COFFER_REQUIRE_ALL_TESTS=1). Use with
 * `describe.each(storeBackends())('$name', (backend) => …)` and call `backend.cleanup()` in
 * afterEach and `backend.shutdown()` in afterAll.
 */
import {
  postgresAvailable,
  startPostgres,
  type PostgresServer,
} from '../../../../tests/support/postgres.js';
import type { Database, DatabaseDialect } from '../../src/store/database.js';
import { openPglite } from '../../src/store/pglite.js';
import { openPostgres } from '../../src/store/postgres.js';

export interface FreshStore {
  /** A new, empty database. */
  readonly db: Database;
  /**
   * Another `Database` on the same data: PostgreSQL, a second pool (other connections, as a
   * second server replica would have); PGlite, the same instance (it has one connection).
   */
  connect(): Promise<Database>;
}

export interface StoreBackend {
  readonly name: string;
  readonly dialect: DatabaseDialect;
  fresh(): Promise<FreshStore>;
  /** Closes every database this backend opened since the last cleanup. */
  cleanup(): Promise<void>;
  /** Stops the PostgreSQL server, if one was started. */
  shutdown(): Promise<void>;
}

function tracking(dialect: DatabaseDialect, name: string, open: () => Promise<FreshStore>) {
  const opened: Database[] = [];
  const backend: StoreBackend & { opened: Database[] } = {
    name,
    dialect,
    opened,
    fresh: open,
    async cleanup() {
      const all = opened.splice(0);
      await Promise.all(all.map((db) => db.close().catch(() => undefined)));
    },
    shutdown: () => backend.cleanup(),
  };
  return backend;
}

function pgliteBackend(): StoreBackend {
  const backend = tracking('pglite', 'PGlite', async () => {
    const db = await openPglite('memory://');
    backend.opened.push(db);
    return { db, connect: () => Promise.resolve(db) };
  });
  return backend;
}

function postgresBackend(): StoreBackend {
  let server: Promise<PostgresServer> | undefined;
  let counter = 0;
  const backend = tracking('postgres', 'PostgreSQL', async () => {
    server ??= startPostgres();
    const url = await (await server).createDatabase(`store_${process.pid}_${++counter}`);
    const connect = async () => {
      const db = await openPostgres(url);
      backend.opened.push(db);
      return db;
    };
    return { db: await connect(), connect };
  });
  backend.shutdown = async () => {
    await backend.cleanup();
    if (server) await (await server).stop();
  };
  return backend;
}

/** PGlite always; PostgreSQL when Debian's package is installed (else a loud skip). */
export function storeBackends(): StoreBackend[] {
  return [pgliteBackend(), ...(postgresAvailable() ? [postgresBackend()] : [])];
}

/** Only the PostgreSQL backend (empty when it is unavailable; see `postgresAvailable`). */
export function postgresBackends(): StoreBackend[] {
  return postgresAvailable() ? [postgresBackend()] : [];
}
