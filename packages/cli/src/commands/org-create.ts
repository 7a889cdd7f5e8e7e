/** `coffer org create`: creates an organisation; you become its owner. */
import { parseOptions, required } from '../args.js';
import { connect, output, SERVER_HELP, SERVER_OPTIONS } from '../platform/connect.js';
import type { Command } from './index.js';

export const orgCreate: Command = {
  name: 'org create',
  summary: 'create an organisation (you become its owner)',
  section: 'platform',
  help: `Usage: coffer org create --name NAME [--server URL] [--json]

${SERVER_HELP}
`,
  async run(args) {
    const o = parseOptions(args, { ...SERVER_OPTIONS, name: { type: 'string' } });
    const org = await connect(o.server).createOrg({ name: required(o.name, '--name') });
    return output(o.json, org, () => [`Created organisation ${org.name}: ${org.id}`]);
  },
};
