/**
 * `coffer tss combine`: OFFLINE DISASTER RECOVERY. Reconstructs the whole private key from
 * the share files of an authorised set — the only command that ever computes it, and the
 * only module allowed to import @coffer/crypto/recovery (tests/invariants enforces that).
 * The result is checked against public.json's key before it is printed.
 */
import { bytesToHex, equalBytes } from '@coffer/crypto';
import { reconstructSecretOffline } from '@coffer/crypto/recovery';
import { parseOptions, required, secretFromEnv } from '../args.js';
import { CliError } from '../cli-error.js';
import { partyListOption, readCeremony, readKeyShares } from '../tss/ceremony-files.js';
import { TSS_SCHEMES } from '../tss/registry.js';
import type { Command } from './index.js';

const KEY_FORMATS = TSS_SCHEMES.map(
  (s) => `                       ${s.name}: ${s.recoveredKeyFormat}`,
).join('\n');

const WARNING = `coffer: WARNING: the output holds the WHOLE PRIVATE KEY. Anyone who sees it controls
coffer: every asset under this key, with no quorum. Use it only offline, move the funds
coffer: or re-share the key at once, and destroy every copy of the output.
`;

export const tssCombine: Command = {
  name: 'tss combine',
  summary: 'OFFLINE disaster recovery: reconstruct the whole private key',
  section: 'ceremony',
  help: `Usage: coffer tss combine --shares DIR --parties a,b,... [--passphrase-env VAR]

OFFLINE DISASTER RECOVERY ONLY. Reconstructs the whole private key from the share files of
an authorised set of parties, checks it against DIR/public.json's public key, and prints
{"scheme", "publicKey", <key field>} with a warning on stderr. This is the only command
that ever forms the whole key; run it on an air-gapped machine. An unauthorised set is
refused, naming the structure.

  --shares DIR           directory with public.json and the parties' share files
  --parties a,b,...      comma-separated party names (an authorised set)
  --passphrase-env VAR   passphrase for encrypted share files, from environment variable VAR
                       printed key, per scheme:
${KEY_FORMATS}
`,
  async run(args) {
    const o = parseOptions(args, {
      shares: { type: 'string' },
      parties: { type: 'string' },
      'passphrase-env': { type: 'string' },
    });
    const dir = required(o.shares, '--shares');
    const parties = partyListOption(o.parties, '--parties');
    const passphrase = secretFromEnv(o['passphrase-env']);
    const ceremony = readCeremony(dir);
    const { scheme, structure } = ceremony;
    const used = structure.select(parties);
    const keyShares = await readKeyShares(ceremony, used, passphrase);
    const { group, secretShares } = scheme.secretSharesOf(keyShares);
    const secret = reconstructSecretOffline(group, structure, secretShares);
    const exported = scheme.exportSecret(secret);
    if (!equalBytes(exported.publicKey, ceremony.publicKey)) {
      throw new CliError('the reconstructed key does not match public.json; a share is corrupt');
    }
    process.stderr.write(WARNING);
    return {
      scheme: scheme.name,
      publicKey: bytesToHex(exported.publicKey),
      [exported.label]: bytesToHex(exported.secret),
    };
  },
};
