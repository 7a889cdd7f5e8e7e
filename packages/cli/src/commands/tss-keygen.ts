/**
 * `coffer tss keygen`: distributed key generation with every party in this process
 * (Pedersen DKG with proofs of knowledge over the access structure, @coffer/crypto dkg/),
 * writing one share file per party and public.json.
 */
import { bytesToHex } from '@coffer/crypto';
import { parseOptions, required, secretFromEnv } from '../args.js';
import { structureFromOption, writeCeremony } from '../tss/ceremony-files.js';
import { parseSchemeOption, SCHEME_HELP } from '../tss/registry.js';
import type { Command } from './index.js';

export const tssKeygen: Command = {
  name: 'tss keygen',
  summary: 'distributed key generation; one share file per party',
  section: 'ceremony',
  help: `Usage: coffer tss keygen --scheme S --structure <2of3 | FILE.json> --out DIR
                          [--passphrase-env VAR]

Runs a distributed key generation (no dealer: the whole key never exists) for every party
of the access structure in this process. Writes DIR/<party>.share.json for each party and
DIR/public.json (scheme, structure, public key, public key package, chain code, key id).
Prints {"scheme", "structure", "publicKey", "parties"}.

  --scheme S           the signature scheme:
${SCHEME_HELP}
  --structure X        "NofM" (parties p1..pM), a text tree such as "2of(a,b,1of(c,d))",
                       or the path of a JSON tree file:
                       {"threshold": 2, "members": ["a", "b", {"threshold": 1, "members": ["c", "d"]}]}
  --out DIR            directory for the files (created if absent); existing share files
                       or public.json there are never overwritten
  --passphrase-env VAR encrypt every share file (scrypt + AES-256-GCM) with the passphrase
                       in environment variable VAR (never given on the command line)
`,
  async run(args) {
    const o = parseOptions(args, {
      scheme: { type: 'string' },
      structure: { type: 'string' },
      out: { type: 'string' },
      'passphrase-env': { type: 'string' },
    });
    const scheme = parseSchemeOption(o.scheme);
    const structure = structureFromOption(o.structure);
    const dir = required(o.out, '--out');
    const passphrase = secretFromEnv(o['passphrase-env']);
    process.stderr.write(
      `coffer: ${scheme.name} key generation for ${structure.parties.length} parties...\n`,
    );
    const material = scheme.keygen(structure);
    await writeCeremony(dir, scheme, structure, material, passphrase);
    return {
      scheme: scheme.name,
      structure: structure.text(),
      publicKey: bytesToHex(material.publicKey),
      parties: structure.parties,
    };
  },
};
