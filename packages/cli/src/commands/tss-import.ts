/**
 * `coffer tss import`: splits an existing private key into share files under an access
 * structure (trusted-dealer dealing, @coffer/crypto keys/import.ts). One of the two places
 * a whole key exists; it is read from an environment variable or a file, never from argv.
 */
import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '@coffer/crypto';
import { parseOptions, required, secretFromEnv } from '../args.js';
import { CliError, usageError } from '../cli-error.js';
import { structureFromOption, writeCeremony } from '../tss/ceremony-files.js';
import { parseSchemeOption, SCHEME_NAMES, TSS_SCHEMES } from '../tss/registry.js';
import type { Command } from './index.js';

const KEY_FORMATS = TSS_SCHEMES.map(
  (s) => `                       ${s.name}: ${s.importKeyFormat}`,
).join('\n');

function readKeyHex(keyEnv: string | undefined, keyFile: string | undefined): Uint8Array {
  if ((keyEnv === undefined) === (keyFile === undefined)) {
    throw usageError('give exactly one of --key-env VAR and --key-file FILE');
  }
  let text: string;
  if (keyFile !== undefined) {
    try {
      text = readFileSync(keyFile, 'utf8');
    } catch {
      throw new CliError(`cannot read key file ${keyFile}`);
    }
  } else {
    text = secretFromEnv(keyEnv)!;
  }
  const hex = text.trim().replace(/^0x/, '');
  try {
    return hexToBytes(hex, 'key');
  } catch {
    // Never echo the key itself.
    throw new CliError('the key must be hexadecimal');
  }
}

export const tssImport: Command = {
  name: 'tss import',
  summary: 'split an existing private key into share files (trusted dealer)',
  section: 'ceremony',
  help: `Usage: coffer tss import --scheme S --structure <2of3 | FILE.json> --out DIR
                          (--key-env VAR | --key-file FILE) [--passphrase-env VAR]

Splits an existing private key into one share per party (a trusted dealer: run it offline,
then move each share file to its holder and destroy the key). Writes the same files as
"coffer tss keygen" and prints the same JSON. The key is never read from the command line.
An imported key has no DKG chain code: a random 32-byte chain code is dealt with it.

  --scheme S           ${SCHEME_NAMES.join(' | ')}
  --structure X        "NofM", a text tree, or a JSON tree file (as for keygen)
  --out DIR            directory for the files (created if absent; never overwritten)
  --key-env VAR        read the key (hex) from environment variable VAR
  --key-file FILE      read the key (hex) from FILE
                       key formats:
${KEY_FORMATS}
  --passphrase-env VAR encrypt every share file with the passphrase in VAR
`,
  async run(args) {
    const o = parseOptions(args, {
      scheme: { type: 'string' },
      structure: { type: 'string' },
      out: { type: 'string' },
      'key-env': { type: 'string' },
      'key-file': { type: 'string' },
      'passphrase-env': { type: 'string' },
    });
    const scheme = parseSchemeOption(o.scheme);
    const structure = structureFromOption(o.structure);
    const dir = required(o.out, '--out');
    const key = readKeyHex(o['key-env'], o['key-file']);
    const passphrase = secretFromEnv(o['passphrase-env']);
    const material = scheme.importKey(structure, key);
    key.fill(0);
    await writeCeremony(dir, scheme, structure, material, passphrase);
    return {
      scheme: scheme.name,
      structure: structure.text(),
      publicKey: bytesToHex(material.publicKey),
      parties: structure.parties,
    };
  },
};
