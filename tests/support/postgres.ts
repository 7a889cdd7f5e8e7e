/**
 * A throw-away PostgreSQL 15 server for tests, from Debian's `postgresql` package: `initdb`
 * into a temp directory, `postgres` on a free loopback port (127.0.0.1 only, no Unix socket,
 * trust authentication, durability off: fsync and synchronous commit are pointless for a
 * cluster deleted after the run), one database created, stopped by its PID (fast shutdown,
 * SIGINT) and deleted. initdb refuses to run as root, so under root the cluster runs as the
 * `postgres` OS user (`runuser -u postgres --`) in a directory chowned to it. Availability
 * follows the project-wide rule in system-packages.ts (loud skip, or failure under
 * COFFER_REQUIRE_ALL_TESTS=1).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { fileExists, requireSystemPackage } from './system-packages.js';

/** Debian's PostgreSQL 15 server binaries. */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

/** Whether PostgreSQL tests run here (warns and skips, or throws under CI; see the helper). */
export function postgresAvailable(): boolean {
  return requireSystemPackage(
    'postgresql',
    () => fileExists(join(POSTGRES_BIN, 'initdb')) && fileExists(join(POSTGRES_BIN, 'postgres')),
    'postgresql',
  );
}

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/<database>` of the database created at start. */
  readonly url: string;
  /** Creates another empty database on the same server and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (by PID) and deletes its directory. */
  stop(): Promise<void>;
}

const runningAsRoot = () => process.getuid?.() === 0;

/** `[command, args]` to run a server binary as the right OS user. */
function asClusterUser(binary: string, args: readonly string[]): [string, string[]] {
  const path = join(POSTGRES_BIN, binary);
  return runningAsRoot() ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, [...args]];
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAccepting(url: string, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited during start-up:\n${log()}`);
    }
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`postgres did not accept connections in 30 s:\n${log()}`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** Starts a fresh cluster with one database (`database`, default `coffer_test`). */
export async function startPostgres(database = 'coffer_test'): Promise<PostgresServer> {
  const directory = mkdtempSync(join(tmpdir(), 'coffer-postgres-'));
  const dataDir = join(directory, 'data');
  if (runningAsRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(directory, uid, gid);
  }
  const [initdb, initdbArgs] = asClusterUser('initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
  ]);
  execFileSync(initdb, initdbArgs, { stdio: 'pipe', cwd: directory });

  const port = await freeLoopbackPort();
  const [postgres, postgresArgs] = asClusterUser('postgres', [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
  ]);
  const child = spawn(postgres, postgresArgs, {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: directory,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If the test process dies first, do not leave the server behind.
  const killOnExit = () => {
    const pid = postmasterPid(dataDir);
    if (pid !== undefined) killQuietly(pid, 'SIGKILL');
  };
  process.once('exit', killOnExit);

  const base = `postgres://postgres@127.0.0.1:${port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    // The postmaster's own PID (under root, `child` is runuser, which would turn SIGINT into
    // SIGTERM, PostgreSQL's "smart" shutdown that waits for clients). SIGINT: fast shutdown.
    const pid = postmasterPid(dataDir) ?? child.pid;
    if (pid !== undefined) killQuietly(pid, 'SIGINT');
    const timeout = setTimeout(() => {
      if (pid !== undefined) killQuietly(pid, 'SIGKILL');
      if (child.pid !== undefined) killQuietly(child.pid, 'SIGKILL');
    }, 15_000);
    await exited;
    clearTimeout(timeout);
    rmSync(directory, { recursive: true, force: true });
  };

  try {
    await waitUntilAccepting(`${base}/postgres`, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  const createDatabase = async (name: string) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
    const admin = new pg.Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    return `${base}/${name}`;
  };
  const url = await createDatabase(database);
  return { url, createDatabase, stop };
}

/** The first line of `postmaster.pid` (PostgreSQL's lock file in the data directory). */
function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
