/**
 * `coffer up` (what `npm start` runs): Coffer on one machine, in one command (issue 5,
 * "`coffer up` and `npm start`"). It starts the server on 127.0.0.1 with the embedded PGlite
 * store under <data>/server, asks it for its coordinator identity and relay
 * (GET /v1/coordinator), prepares three signing nodes (up/local-nodes.ts) and runs each as a
 * separate child process (`coffer node`, up/node-child.ts), writes <data>/nodes.json for
 * `coffer bootstrap --data-dir`, and prints what to do next. A node that dies is reported
 * loudly and restarted once. Ctrl-C (SIGINT) or SIGTERM stops the nodes by PID (SIGTERM,
 * then SIGKILL after a bound) and then the server; the next start resumes with the same data.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CofferClient } from '@coffer/sdk';
import { parseOptions } from '../args.js';
import { usageError } from '../cli-error.js';
import {
  claimDataDir,
  LOCAL_NODE_NAMES,
  localLayout,
  writeLocalNodes,
} from '../platform/local-setup.js';
import { nextShutdownSignal } from '../platform/signals.js';
import { prepareLocalNode, writeLocalNodeConfig, type LocalNode } from '../up/local-nodes.js';
import { developmentNotice, readyMessage } from '../up/messages.js';
import { NodeChild } from '../up/node-child.js';
import type { Command } from './index.js';

const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
const shout = (line: string): void => {
  process.stderr.write(`\n!!! ${line}\n\n`);
};

export const up: Command = {
  name: 'up',
  summary: 'run Coffer locally: server + PGlite + three signing nodes (npm start)',
  section: 'run',
  help: `Usage: coffer up [--data-dir DIR] [--port P]

Starts a local development Coffer: the server on 127.0.0.1 (embedded PGlite in DIR/server)
and three signing nodes as separate processes (DIR/nodes/node-1..3, each with its own
keystore), and writes DIR/nodes.json so that "coffer bootstrap --data-dir DIR" creates the
owner and enrols the three nodes. Runs until Ctrl-C; starting again resumes with the same
data (same node identities, same database). A node process that dies is reported and
restarted once.

  --data-dir DIR  where everything is kept (default ./data)
  --port P        the server's port (default COFFER_PORT or 8740; 0 = any free port)

The server's other settings come from the environment as for "coffer server" (e.g.
COFFER_LOG_LEVEL, DATABASE_URL); it always listens on 127.0.0.1 only.
Logs: DIR/server/server.log and DIR/nodes/node-N/node.log.
`,
  async run(args) {
    const o = parseOptions(args, { 'data-dir': { type: 'string' }, port: { type: 'string' } });
    const layout = localLayout(o['data-dir'] ?? './data');
    const port = Number(o.port ?? process.env.COFFER_PORT ?? 8740);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError('--port: not a port');
    const release = claimDataDir(layout.root);
    try {
      return await runUp(layout, port);
    } finally {
      release();
    }
  },
};

async function runUp(layout: ReturnType<typeof localLayout>, port: number): Promise<undefined> {
  for (const line of developmentNotice()) say(line);
  // Loaded here, not at the top: other commands should not pay for the server's modules.
  const { createServerLogger, loadServerConfig, startServer } = await import('@coffer/server');
  const shutdown = nextShutdownSignal();
  const stopping = { now: false };
  void shutdown.then(() => (stopping.now = true));
  const nodes: NodeChild[] = [];
  const killNodes = () => nodes.forEach((n) => n.kill());
  process.once('exit', killNodes);

  const serverLog = join(layout.serverDir, 'server.log');
  const config = loadServerConfig(process.env, {
    host: '127.0.0.1',
    port,
    dataDir: layout.serverDir,
  });
  say(`Starting the server (data: ${layout.serverDir}) …`);
  mkdirSync(layout.serverDir, { recursive: true, mode: 0o700 });
  const logger = createServerLogger(
    config.logLevel,
    createWriteStream(serverLog, { flags: 'a', mode: 0o600 }),
  );
  const server = await startServer(config, logger);
  try {
    const coordinator = await new CofferClient({ baseUrl: server.url }).coordinator();
    const prepared: LocalNode[] = [];
    for (const name of LOCAL_NODE_NAMES) {
      prepared.push(await prepareLocalNode(name, layout.nodeDir(name)));
    }
    const peers = prepared.map((n) => n.identity);
    for (const node of prepared) writeLocalNodeConfig(node, coordinator, peers);
    writeLocalNodes(layout.root, {
      v: 1,
      server: server.url,
      nodes: prepared.map((n) => ({ name: n.name, identity: n.identity })),
    });
    say('Starting three signing nodes …');
    const started = await Promise.all(prepared.map((n) => NodeChild.start(n)));
    nodes.push(...started);
    prepared.forEach((node, i) => supervise(node, i, nodes, stopping));
    for (const line of readyMessage({
      url: server.url,
      dataDir: layout.root,
      bootstrapped: server.bootstrapped,
      serverLog,
      nodes: prepared.map((n, i) => ({
        name: n.name,
        pid: nodes[i]!.pid,
        nodeId: n.identity.nodeId,
        logFile: n.logFile,
      })),
    })) {
      say(line);
    }
    const signal = await shutdown;
    say(`\n${signal}: stopping the signing nodes …`);
  } finally {
    stopping.now = true;
    await Promise.all(nodes.map((n) => n.stop()));
    say('Stopping the server …');
    await server.close();
    process.off('exit', killNodes);
  }
  say('Coffer stopped. Your data is kept; "coffer up" resumes with it.');
  return undefined;
}

/** Reports a node that dies while Coffer runs, and restarts it once. */
function supervise(
  node: LocalNode,
  index: number,
  nodes: NodeChild[],
  stopping: { now: boolean },
  restarted = false,
): void {
  const child = nodes[index]!;
  void child.exit.then(async ({ code, signal }) => {
    if (stopping.now) return;
    const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
    if (restarted) {
      shout(
        `signing node ${node.name} (pid ${child.pid}) died AGAIN (${how}); not restarting it. ` +
          `Coffer is running with fewer nodes. See ${node.logFile}`,
      );
      return;
    }
    shout(`signing node ${node.name} (pid ${child.pid}) died (${how}); restarting it once.`);
    try {
      const again = await NodeChild.start(node);
      if (stopping.now) {
        await again.stop();
        return;
      }
      nodes[index] = again;
      process.stderr.write(`signing node ${node.name} restarted (pid ${again.pid})\n`);
      supervise(node, index, nodes, stopping, true);
    } catch (error) {
      shout(`signing node ${node.name} could not be restarted: ${(error as Error).message}`);
    }
  });
}
