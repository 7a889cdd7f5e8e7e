/** `coffer vault show`: one vault — its structure, parties, and each scheme's key. */
import { parseOptions, required } from '../args.js';
import { connect, ORG_HELP, ORG_OPTIONS, output, resolveOrg } from '../platform/connect.js';
import { vaultLines } from '../platform/describe.js';
import type { Command } from './index.js';

export const vaultShow: Command = {
  name: 'vault show',
  summary: "show a vault's keys and status",
  section: 'platform',
  help: `Usage: coffer vault show --vault VAULT_ID [--org ID] [--json]

  --vault VAULT_ID  the vault's id (vlt_…)
${ORG_HELP}
`,
  async run(args) {
    const o = parseOptions(args, { ...ORG_OPTIONS, vault: { type: 'string' } });
    const vaultId = required(o.vault, '--vault');
    const client = connect(o.server);
    const vault = await client.getVault(await resolveOrg(client, o.org), vaultId);
    return output(o.json, vault, () => vaultLines(vault));
  },
};
