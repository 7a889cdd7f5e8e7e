/** `coffer org list`: the organisations you belong to, with your role in each. */
import { parseOptions } from '../args.js';
import { connect, output, SERVER_HELP, SERVER_OPTIONS } from '../platform/connect.js';
import type { Command } from './index.js';

export const orgList: Command = {
  name: 'org list',
  summary: 'list your organisations and roles',
  section: 'platform',
  help: `Usage: coffer org list [--server URL] [--json]

${SERVER_HELP}
`,
  async run(args) {
    const o = parseOptions(args, SERVER_OPTIONS);
    const { memberships } = await connect(o.server).listOrgs();
    return output(o.json, { memberships }, () =>
      memberships.length === 0
        ? ['You belong to no organisation.']
        : memberships.map(
            (m) => `${m.organisation.id}  ${m.role.padEnd(9)}  ${m.organisation.name}`,
          ),
    );
  },
};
