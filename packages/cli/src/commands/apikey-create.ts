/**
 * `coffer apikey create`: creates an API key for a machine client (owners and admins only).
 * Its secret is shown once. With --approval-key-out FILE it also generates an Ed25519
 * approval key, registers the public half with the API key and keeps the secret half in
 * FILE (mode 0600): an admin key's approvals can then satisfy a vault's policy
 * (`coffer sign --approve-with FILE`, `coffer approve`).
 */
import { existsSync } from 'node:fs';
import { parseOptions, required } from '../args.js';
import { usageError } from '../cli-error.js';
import { newApprovalKey, writeApprovalKey } from '../platform/approval-key.js';
import { connect, ORG_HELP, ORG_OPTIONS, output, resolveOrg } from '../platform/connect.js';
import type { Command } from './index.js';

export const apikeyCreate: Command = {
  name: 'apikey create',
  summary: 'create an API key (secret shown once), optionally with an approval key',
  section: 'platform',
  help: `Usage: coffer apikey create --name NAME --role ROLE [--approval-key-out FILE] [--org ID]

Creates an API key for a machine client; send it as "Authorization: Bearer <secret>" (the
CLI reads it from COFFER_API_KEY). The secret is printed once and never shown again.

  --name NAME              what the key is for
  --role ROLE              admin, approver, initiator, viewer or auditor
  --approval-key-out FILE  also generate an Ed25519 approval key: its public half is
                           registered with the API key, the secret half is written to FILE
                           (mode 0600). Vaults created afterwards accept approvals signed
                           with it when the key's role is admin.
${ORG_HELP}
`,
  async run(args) {
    const o = parseOptions(args, {
      ...ORG_OPTIONS,
      name: { type: 'string' },
      role: { type: 'string' },
      'approval-key-out': { type: 'string' },
    });
    const name = required(o.name, '--name');
    const role = required(o.role, '--role') as 'admin';
    const keyFile = o['approval-key-out'];
    if (keyFile !== undefined && existsSync(keyFile)) {
      throw usageError(`${keyFile} exists already; choose another --approval-key-out`);
    }
    const client = connect(o.server);
    const orgId = await resolveOrg(client, o.org);
    const approvalKey = keyFile === undefined ? undefined : newApprovalKey();
    const created = await client.createApiKey(orgId, {
      name,
      role,
      ...(approvalKey === undefined ? {} : { approvalPublicKey: approvalKey.publicKey }),
    });
    if (keyFile !== undefined && approvalKey !== undefined) {
      writeApprovalKey(keyFile, { v: 1, keyId: created.id, scheme: 'ed25519', ...approvalKey });
    }
    return output(o.json, { ...created, approvalKeyFile: keyFile ?? null }, () => [
      `Created API key ${created.id} (${created.role}) "${created.name}".`,
      `Secret (shown once; keep it in a secret store): ${created.secret}`,
      ...(keyFile === undefined
        ? []
        : [`Approval key ${approvalKey!.publicKey} saved in ${keyFile} (mode 0600).`]),
    ]);
  },
};
