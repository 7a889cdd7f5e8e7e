/**
 * `coffer node`: runs the long-lived signing-node process (@coffer/node `SigningNode`)
 * until SIGINT or SIGTERM, then shuts it down gracefully. A failure before start-up (bad
 * configuration, wrong passphrase or PIN, missing key) is one line on stderr and a non-zero
 * exit via the CLI's error path; logs after start-up are pino JSON on stdout.
 */
import { SigningNode, createNodeLogger, loadNodeConfig, requireRunnable } from '@coffer/node';
import { parseOptions } from '../args.js';
import type { Command } from './index.js';
import { NODE_HELP } from './node-help.js';

/** Longest a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_LIMIT_MS = 15_000;

export const nodeRun: Command = {
  name: 'node',
  summary: 'run a signing node (long-running; see "coffer node --help")',
  section: 'node',
  help: NODE_HELP,
  async run(args) {
    const o = parseOptions(args, { config: { type: 'string' } });
    const config = requireRunnable(
      await loadNodeConfig({
        ...(o.config === undefined ? {} : { configFile: o.config }),
        env: process.env,
      }),
    );
    const logger = createNodeLogger(config.log.level);
    const node = await SigningNode.start({ config, env: process.env, logger });
    const signal = await nextShutdownSignal();
    process.once('SIGINT', () => process.exit(1));
    process.once('SIGTERM', () => process.exit(1));
    setTimeout(() => {
      logger.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'graceful shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    await node.stop(signal);
    return undefined;
  },
};

function nextShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
