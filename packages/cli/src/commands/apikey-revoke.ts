/** `coffer apikey revoke`: revokes an API key; it is refused from that moment on. */
import { parseOptions, required } from '../args.js';
import { connect, ORG_HELP, ORG_OPTIONS, output, resolveOrg } from '../platform/connect.js';
import type { Command } from './index.js';

export const apikeyRevoke: Command = {
  name: 'apikey revoke',
  summary: 'revoke an API key',
  section: 'platform',
  help: `Usage: coffer apikey revoke --key KEY_ID [--org ID] [--json]

  --key KEY_ID    the key's id (key_…), from "coffer apikey list"
${ORG_HELP}
`,
  async run(args) {
    const o = parseOptions(args, { ...ORG_OPTIONS, key: { type: 'string' } });
    const keyId = required(o.key, '--key');
    const client = connect(o.server);
    const result = await client.revokeApiKey(await resolveOrg(client, o.org), keyId);
    return output(o.json, result, () => [`Revoked API key ${keyId}.`]);
  },
};
