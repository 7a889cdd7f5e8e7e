/**
 * `coffer node enrol`: enrols a signing node in the organisation by its public identity —
 * the JSON `coffer node identity` prints on the node's host. Only enrolled nodes may connect
 * to the server's relay.
 */
import { readFileSync } from 'node:fs';
import { parseOptions, required } from '../args.js';
import { CliError } from '../cli-error.js';
import { connect, ORG_HELP, ORG_OPTIONS, output, resolveOrg } from '../platform/connect.js';
import type { Command } from './index.js';

export const nodeEnrol: Command = {
  name: 'node enrol',
  summary: 'enrol a signing node by its public identity',
  section: 'platform',
  help: `Usage: coffer node enrol --name NAME --identity FILE [--org ID] [--json]

  --name NAME       a name for the node (e.g. the operator or the host)
  --identity FILE   the node's public identity JSON {nodeId, signingKey, encryptionKey}, as
                    "coffer node identity" prints it on the node's host ("-" reads stdin)
${ORG_HELP}
`,
  async run(args) {
    const o = parseOptions(args, {
      ...ORG_OPTIONS,
      name: { type: 'string' },
      identity: { type: 'string' },
    });
    const name = required(o.name, '--name');
    const file = required(o.identity, '--identity');
    let identity: unknown;
    try {
      identity = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
    } catch {
      throw new CliError(`${file}: not a JSON public identity (see "coffer node identity")`);
    }
    const client = connect(o.server);
    const node = await client.enrolNode(await resolveOrg(client, o.org), {
      name,
      identity: identity as never,
    });
    return output(o.json, node, () => [`Enrolled signing node ${node.name}: ${node.nodeId}`]);
  },
};
