/** `coffer tss verify`: checks a signature with an independent verifier; exit 0 or 1. */
import { hexOption, parseOptions } from '../args.js';
import { CliError } from '../cli-error.js';
import { parseSchemeOption, SCHEME_HELP } from '../tss/registry.js';
import type { Command } from './index.js';

export const tssVerify: Command = {
  name: 'tss verify',
  summary: 'verify a signature with an independent verifier (exit 0 valid, 1 invalid)',
  section: 'ceremony',
  help: `Usage: coffer tss verify --scheme S --public-key HEX --message HEX --signature HEX

Checks the signature with @noble/curves' standard verifier for the scheme (not Coffer's
signing code). Prints {"valid": true} and exits 0, or exits 1 with a message on stderr.

  --scheme S         the signature scheme:
${SCHEME_HELP}
  --public-key HEX   Ed25519: 32 bytes; secp256k1: 33 bytes compressed; Taproot: 32 bytes x-only
                     (as printed by "coffer tss sign")
  --message HEX      the signed message
  --signature HEX    the signature as printed by "coffer tss sign"
`,
  run(args) {
    const o = parseOptions(args, {
      scheme: { type: 'string' },
      'public-key': { type: 'string' },
      message: { type: 'string' },
      signature: { type: 'string' },
    });
    const scheme = parseSchemeOption(o.scheme);
    const valid = scheme.verify(
      hexOption(o['public-key'], '--public-key'),
      hexOption(o.message, '--message'),
      hexOption(o.signature, '--signature'),
    );
    if (!valid) throw new CliError(`signature is not valid for ${scheme.name}`);
    return Promise.resolve({ valid: true });
  },
};
