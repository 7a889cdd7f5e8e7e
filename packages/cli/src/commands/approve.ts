/**
 * `coffer approve`: approves (or, with --reject, rejects) a pending signature request with an
 * Ed25519 approval key file, after checking that the payload is the one the request implies
 * (approval-key.ts).
 */
import { parseOptions, required } from '../args.js';
import { approve as approveRequest, readApprovalKey } from '../platform/approval-key.js';
import { connect, ORG_HELP, ORG_OPTIONS, output, resolveOrg } from '../platform/connect.js';
import { signatureLines } from '../platform/describe.js';
import type { Command } from './index.js';

export const approve: Command = {
  name: 'approve',
  summary: 'approve (or reject) a signature request with an approval key file',
  section: 'platform',
  help: `Usage: coffer approve --vault VAULT_ID --request REQUEST_ID --approve-with FILE
                      [--reject] [--org ID] [--json]

  --vault VAULT_ID     the vault (vlt_…)
  --request ID         the signature request (sig_…)
  --approve-with FILE  the approval key file (from "coffer apikey create --approval-key-out")
  --reject             sign a rejection instead: under the default rule it ends the request
${ORG_HELP}
`,
  async run(args) {
    const o = parseOptions(args, {
      ...ORG_OPTIONS,
      vault: { type: 'string' },
      request: { type: 'string' },
      'approve-with': { type: 'string' },
      reject: { type: 'boolean' },
    });
    const vaultId = required(o.vault, '--vault');
    const requestId = required(o.request, '--request');
    const key = readApprovalKey(required(o['approve-with'], '--approve-with'));
    const client = connect(o.server);
    const orgId = await resolveOrg(client, o.org);
    const pending = await client.getSignatureRequest(orgId, vaultId, requestId);
    const decided =
      o.reject === true
        ? await client.rejectSignatureRequest(
            orgId,
            vaultId,
            requestId,
            approveRequest(key, pending, 'reject'),
          )
        : await client.approveSignatureRequest(
            orgId,
            vaultId,
            requestId,
            approveRequest(key, pending),
          );
    return output(o.json, decided, () => signatureLines(decided));
  },
};
