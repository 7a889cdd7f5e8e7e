/**
 * The layout of a local Coffer made by `coffer up` under one data directory (default
 * ./data), shared with `coffer bootstrap --data-dir`:
 *
 *   <data>/server/              the server's data (embedded PGlite, the bootstrap token)
 *   <data>/nodes/node-N/        signing node N: its keystore, node.json config, dev-passphrase
 *                               (mode 0600), node.log
 *   <data>/nodes.json           the server URL and the nodes' public identities, so that
 *                               `coffer bootstrap --data-dir` can enrol them
 *   <data>/coffer-up.pid        the PID of the `coffer up` using the directory: a second one
 *                               would open the same embedded database and keystores
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NodePublicIdentity } from '@coffer/protocol';
import { CliError } from '../cli-error.js';

export const LOCAL_NODE_NAMES = ['node-1', 'node-2', 'node-3'] as const;

export interface LocalNodes {
  readonly v: 1;
  /** Where `coffer up` serves the API right now. */
  readonly server: string;
  readonly nodes: readonly { readonly name: string; readonly identity: NodePublicIdentity }[];
}

function isLocalNodes(value: unknown): value is LocalNodes {
  const v = value as Partial<LocalNodes> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.v === 1 &&
    typeof v.server === 'string' &&
    Array.isArray(v.nodes) &&
    (v.nodes as unknown[]).every((n) => {
      const node = n as { name?: unknown; identity?: unknown } | null;
      return typeof node?.name === 'string' && NodePublicIdentity.safeParse(node.identity).success;
    })
  );
}

export function localLayout(dataDir: string) {
  const root = resolve(dataDir);
  return {
    root,
    serverDir: join(root, 'server'),
    bootstrapTokenFile: join(root, 'server', 'bootstrap-token'),
    nodesFile: join(root, 'nodes.json'),
    pidFile: join(root, 'coffer-up.pid'),
    nodeDir: (name: string) => join(root, 'nodes', name),
  };
}

export function readLocalNodes(dataDir: string): LocalNodes {
  const file = localLayout(dataDir).nodesFile;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`${file} not found: run "coffer up --data-dir ${dataDir}" first`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isLocalNodes(parsed)) throw new CliError(`${file} is not a "coffer up" nodes file`);
  return parsed;
}

export function writeLocalNodes(dataDir: string, nodes: LocalNodes): void {
  writeFileSync(localLayout(dataDir).nodesFile, `${JSON.stringify(nodes, null, 2)}\n`, {
    mode: 0o600,
  });
}

/**
 * Claims the data directory for this process, or throws if a live `coffer up` holds it (a
 * PID file left by one that was killed is taken over). Returns the release function.
 */
export function claimDataDir(dataDir: string): () => void {
  const { root, pidFile } = localLayout(dataDir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  for (;;) {
    try {
      writeFileSync(pidFile, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => rmSync(pidFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readFileSync(pidFile, 'utf8').trim());
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new CliError(`coffer up is already running on ${root} (pid ${holder})`);
    }
    rmSync(pidFile, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
