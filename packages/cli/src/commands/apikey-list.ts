/** `coffer apikey list`: the organisation's API keys (never their secrets). */
import { parseOptions } from '../args.js';
import { connect, ORG_HELP, ORG_OPTIONS, output, resolveOrg } from '../platform/connect.js';
import type { Command } from './index.js';

export const apikeyList: Command = {
  name: 'apikey list',
  summary: "list the organisation's API keys",
  section: 'platform',
  help: `Usage: coffer apikey list [--org ID] [--json]

${ORG_HELP}
`,
  async run(args) {
    const o = parseOptions(args, ORG_OPTIONS);
    const client = connect(o.server);
    const { apiKeys } = await client.listApiKeys(await resolveOrg(client, o.org));
    return output(o.json, { apiKeys }, () =>
      apiKeys.length === 0
        ? ['No API keys.']
        : apiKeys.map(
            (k) =>
              `${k.id}  ${k.role.padEnd(9)}  ${k.revokedAt === null ? 'active ' : 'revoked'}  ` +
              `${k.approvalPublicKey === null ? '          ' : 'approval  '}${k.name}`,
          ),
    );
  },
};
