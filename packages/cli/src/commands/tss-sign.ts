/**
 * `coffer tss sign`: an authorised set of parties signs a message with their share files,
 * every signer in this process (FROST rounds 1 and 2, share verification and aggregation,
 * RFC 9591 §5). The signature is checked with the independent verifier before it is printed.
 */
import { bytesToHex } from '@coffer/crypto';
import { hexOption, parseOptions, required, secretFromEnv } from '../args.js';
import { CliError, usageError } from '../cli-error.js';
import { partyListOption, readCeremony, readKeyShares } from '../tss/ceremony-files.js';
import type { TssSignOptions } from '../tss/scheme.js';
import type { Command } from './index.js';

export const tssSign: Command = {
  name: 'tss sign',
  summary: 'sign a message with an authorised set of share files',
  section: 'ceremony',
  help: `Usage: coffer tss sign --shares DIR --signers a,b,... --message HEX
                        [--passphrase-env VAR] [--taproot-tweak] [--taproot-merkle-root HEX]

The signers' shares in DIR (written by "coffer tss keygen" or "coffer tss import") jointly
sign the message; the scheme and structure come from DIR/public.json. Prints
{"scheme", "publicKey", "signers", "signature"} in hex: "signers" are the parties whose
shares were used (a superset of an authorised set uses only the parties it needs), and
"publicKey" is the key the signature verifies under. An unauthorised signer set fails,
naming the structure it does not satisfy.

  --shares DIR               directory with public.json and the signers' share files
  --signers a,b,...          comma-separated party names (an authorised set)
  --message HEX              the message to sign, hex
  --passphrase-env VAR       passphrase for encrypted share files, from environment variable VAR
  --taproot-tweak            frost-taproot only: sign for the BIP341 tweaked output key
                             (key-path spend with no script tree, BIP86); the printed
                             publicKey is then the tweaked x-only output key
  --taproot-merkle-root HEX  frost-taproot only: tweak with this 32-byte script-tree merkle
                             root (implies --taproot-tweak)
`,
  async run(args) {
    const o = parseOptions(args, {
      shares: { type: 'string' },
      signers: { type: 'string' },
      message: { type: 'string' },
      'passphrase-env': { type: 'string' },
      'taproot-tweak': { type: 'boolean' },
      'taproot-merkle-root': { type: 'string' },
    });
    const dir = required(o.shares, '--shares');
    const signers = partyListOption(o.signers, '--signers');
    const message = hexOption(o.message, '--message');
    const passphrase = secretFromEnv(o['passphrase-env']);
    let options: TssSignOptions = {};
    if (o['taproot-merkle-root'] !== undefined) {
      const merkleRoot = hexOption(o['taproot-merkle-root'], '--taproot-merkle-root');
      if (merkleRoot.length !== 32) throw usageError('--taproot-merkle-root must be 32 bytes');
      options = { taprootTweak: { merkleRoot } };
    } else if (o['taproot-tweak'] === true) {
      options = { taprootTweak: {} };
    }
    const ceremony = readCeremony(dir);
    const { scheme, structure } = ceremony;
    if (options.taprootTweak && !scheme.acceptsTaprootTweak) {
      throw usageError(
        `--taproot-tweak and --taproot-merkle-root apply to frost-taproot, not ${scheme.name}`,
      );
    }
    // UNAUTHORIZED_SET (naming the structure) before any share file is opened.
    const used = structure.select(signers);
    const keyShares = await readKeyShares(ceremony, used, passphrase);
    const result = scheme.sign(keyShares, used, message, options);
    if (!scheme.verify(result.publicKey, message, result.signature)) {
      throw new CliError(`the ${scheme.name} signature failed independent verification`);
    }
    return {
      scheme: scheme.name,
      publicKey: bytesToHex(result.publicKey),
      signers: used,
      signature: bytesToHex(result.signature),
      ...result.extra,
    };
  },
};
