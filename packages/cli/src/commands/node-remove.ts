/** `coffer node remove`: removes a signing node from the organisation. */
import { parseOptions, required } from '../args.js';
import { connect, ORG_HELP, ORG_OPTIONS, output, resolveOrg } from '../platform/connect.js';
import type { Command } from './index.js';

export const nodeRemove: Command = {
  name: 'node remove',
  summary: 'remove a signing node from the organisation',
  section: 'platform',
  help: `Usage: coffer node remove --node NODE_ID [--force] [--org ID] [--json]

  --node NODE_ID  the node's id, from "coffer node list"
  --force         remove it even though a vault uses it (that vault then signs without it)
${ORG_HELP}
`,
  async run(args) {
    const o = parseOptions(args, {
      ...ORG_OPTIONS,
      node: { type: 'string' },
      force: { type: 'boolean' },
    });
    const nodeId = required(o.node, '--node');
    const client = connect(o.server);
    const orgId = await resolveOrg(client, o.org);
    const result = await client.removeNode(orgId, nodeId, { force: o.force ? 'true' : 'false' });
    return output(o.json, result, () => [`Removed signing node ${nodeId}.`]);
  },
};
