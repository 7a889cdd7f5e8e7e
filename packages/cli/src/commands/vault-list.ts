/** `coffer vault list`: the organisation's vaults and their status. */
import { parseOptions } from '../args.js';
import { connect, ORG_HELP, ORG_OPTIONS, output, resolveOrg } from '../platform/connect.js';
import type { Command } from './index.js';

export const vaultList: Command = {
  name: 'vault list',
  summary: "list the organisation's vaults",
  section: 'platform',
  help: `Usage: coffer vault list [--org ID] [--json]

${ORG_HELP}
`,
  async run(args) {
    const o = parseOptions(args, ORG_OPTIONS);
    const client = connect(o.server);
    const { vaults } = await client.listVaults(await resolveOrg(client, o.org));
    return output(o.json, { vaults }, () =>
      vaults.length === 0
        ? ['No vaults.']
        : vaults.map(
            (v) =>
              `${v.id}  ${v.status.padEnd(8)}  ${v.structure.padEnd(10)}  ${v.keys.map((k) => k.scheme).join(',')}  ${v.name}`,
          ),
    );
  },
};
