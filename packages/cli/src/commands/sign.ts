/**
 * `coffer sign`: asks a vault's signing nodes for a signature — a message (FROST) or a 32-byte
 * digest (ECDSA) — optionally approves the request at once with an Ed25519 approval key file,
 * waits until the nodes have signed (or the request failed) and prints the signature.
 */
import { parseOptions, readJsonFile, required } from '../args.js';
import { CliError, usageError } from '../cli-error.js';
import { approve, readApprovalKey } from '../platform/approval-key.js';
import {
  connect,
  ORG_HELP,
  ORG_OPTIONS,
  output,
  progress,
  resolveOrg,
} from '../platform/connect.js';
import { signatureLines, signatureProgress } from '../platform/describe.js';
import type { Command } from './index.js';

export const sign: Command = {
  name: 'sign',
  summary: 'request a signature from a vault, approve it, wait, print it',
  section: 'platform',
  help: `Usage: coffer sign --vault VAULT_ID --scheme S
                   (--message HEX | --message-text T | --digest HEX | --intent FILE)
                   [--idempotency-key K] [--approve-with FILE] [--no-wait] [--org ID] [--json]

  --vault VAULT_ID     the vault (vlt_…)
  --scheme S           frost-ed25519 or frost-taproot (sign a message), ecdsa-secp256k1 (sign
                       a 32-byte digest)
  --message HEX        the message, hex (FROST)
  --message-text T     the message as UTF-8 text (FROST)
  --digest HEX         the 32-byte digest, hex (ECDSA)
  --intent FILE        what the request does, as JSON (kind, chain, asset, amount, source,
                       destination, digests): the organisation's policy judges it
  --idempotency-key K  a retry with the same key returns the first request, never a second
  --approve-with FILE  approve the request with this approval key file (from "coffer apikey
                       create --approval-key-out"); otherwise approvers use "coffer approve"
  --no-wait            print the request and return without waiting for the signature
${ORG_HELP}

The signature verifies independently, e.g. with "coffer tss verify" or any Ed25519, BIP340
or secp256k1 library, under the public key printed with it.
`,
  async run(args) {
    const o = parseOptions(args, {
      ...ORG_OPTIONS,
      vault: { type: 'string' },
      scheme: { type: 'string' },
      message: { type: 'string' },
      'message-text': { type: 'string' },
      digest: { type: 'string' },
      intent: { type: 'string' },
      'idempotency-key': { type: 'string' },
      'approve-with': { type: 'string' },
      'no-wait': { type: 'boolean' },
    });
    const vaultId = required(o.vault, '--vault');
    const scheme = required(o.scheme, '--scheme');
    if (o.message !== undefined && o['message-text'] !== undefined) {
      throw usageError('give --message or --message-text, not both');
    }
    const message =
      o['message-text'] === undefined
        ? o.message?.replace(/^0x/, '').toLowerCase()
        : Buffer.from(o['message-text'], 'utf8').toString('hex');
    const key = o['approve-with'] === undefined ? undefined : readApprovalKey(o['approve-with']);
    const client = connect(o.server);
    const orgId = await resolveOrg(client, o.org);
    const intent = o.intent === undefined ? undefined : readJsonFile(o.intent, 'the intent');
    let request = await client.createSignatureRequest(
      orgId,
      vaultId,
      {
        scheme: scheme as never,
        ...(message === undefined ? {} : { message }),
        ...(o.digest === undefined ? {} : { digest: o.digest.replace(/^0x/, '').toLowerCase() }),
        ...(intent === undefined ? {} : { intent: intent as never }),
      },
      o['idempotency-key'],
    );
    progress(
      `Signature request ${request.id}: ${request.status}` +
        (request.progress.missing.length === 0
          ? ''
          : `, needs ${request.progress.missing.join('; ')}`),
    );
    if (key !== undefined) {
      request = await client.approveSignatureRequest(
        orgId,
        vaultId,
        request.id,
        approve(key, request),
      );
      progress(`  approved with ${key.keyId}`);
    }
    if (!o['no-wait']) {
      request = await client.waitForSignature(orgId, vaultId, request.id, {
        onUpdate: signatureProgress(),
      });
      if (!['signed', 'broadcast', 'confirmed'].includes(request.status)) {
        throw new CliError(`${request.id} failed: ${request.failure?.reason ?? 'signing failed'}`);
      }
    }
    const final = request;
    return output(o.json, final, () => signatureLines(final));
  },
};
