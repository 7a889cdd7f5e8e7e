/**
 * `coffer node identity`: opens (or on first start creates) the node's keystore and
 * identity from the same configuration as `coffer node`, prints the public identity JSON
 * `{ nodeId, signingKey, encryptionKey }` for enrolment, and exits. Needs only dataDir and
 * keystore; relay and enrolment may still be missing at this point.
 */
import { NodeIdentity, loadNodeConfig, openNodeKeystore } from '@coffer/node';
import { parseOptions } from '../args.js';
import type { Command } from './index.js';
import { NODE_HELP } from './node-help.js';

export const nodeIdentity: Command = {
  name: 'node identity',
  summary: "print the node's public identity for enrolment (created on first use)",
  section: 'node',
  help: NODE_HELP,
  async run(args) {
    const o = parseOptions(args, { config: { type: 'string' } });
    const config = await loadNodeConfig({
      ...(o.config === undefined ? {} : { configFile: o.config }),
      env: process.env,
    });
    const keystore = await openNodeKeystore({ config, env: process.env });
    try {
      const identity = await NodeIdentity.loadOrCreate(keystore);
      const document = identity.publicIdentity();
      identity.destroy();
      return document;
    } finally {
      await keystore.close();
    }
  },
};
