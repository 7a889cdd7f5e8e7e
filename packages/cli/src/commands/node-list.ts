/** `coffer node list`: the organisation's signing nodes, connected or not, and last contact. */
import { parseOptions } from '../args.js';
import { connect, ORG_HELP, ORG_OPTIONS, output, resolveOrg } from '../platform/connect.js';
import type { Command } from './index.js';

export const nodeList: Command = {
  name: 'node list',
  summary: "list the organisation's signing nodes and their status",
  section: 'platform',
  help: `Usage: coffer node list [--org ID] [--json]

${ORG_HELP}
`,
  async run(args) {
    const o = parseOptions(args, ORG_OPTIONS);
    const client = connect(o.server);
    const { nodes } = await client.listNodes(await resolveOrg(client, o.org));
    return output(o.json, { nodes }, () =>
      nodes.length === 0
        ? ['No signing nodes enrolled.']
        : nodes.map(
            (n) =>
              `${n.nodeId}  ${n.status.padEnd(12)}  last contact ${n.lastContactAt ?? 'never'}  ${n.name}`,
          ),
    );
  },
};
