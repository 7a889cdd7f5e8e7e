/**
 * `coffer cancel`: cancels a signature request that has not started signing (its initiator,
 * an owner or an admin).
 */
import { parseOptions, required } from '../args.js';
import { connect, ORG_HELP, ORG_OPTIONS, output, resolveOrg } from '../platform/connect.js';
import { signatureLines } from '../platform/describe.js';
import type { Command } from './index.js';

export const cancel: Command = {
  name: 'cancel',
  summary: 'cancel a signature request before it is signed',
  section: 'platform',
  help: `Usage: coffer cancel --vault VAULT_ID --request REQUEST_ID [--org ID] [--json]

  --vault VAULT_ID  the vault (vlt_…)
  --request ID      the signature request (sig_…)
${ORG_HELP}
`,
  async run(args) {
    const o = parseOptions(args, {
      ...ORG_OPTIONS,
      vault: { type: 'string' },
      request: { type: 'string' },
    });
    const vaultId = required(o.vault, '--vault');
    const requestId = required(o.request, '--request');
    const client = connect(o.server);
    const orgId = await resolveOrg(client, o.org);
    const cancelled = await client.cancelSignatureRequest(orgId, vaultId, requestId);
    return output(o.json, cancelled, () => signatureLines(cancelled));
  },
};
