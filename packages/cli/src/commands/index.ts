/** The registry of `coffer` commands, in the order `coffer --help` lists them. */
import { demo } from './demo.js';
import { nodeIdentity } from './node-identity.js';
import { nodeRun } from './node-run.js';
import { tssCombine } from './tss-combine.js';
import { tssImport } from './tss-import.js';
import { tssKeygen } from './tss-keygen.js';
import { tssSign } from './tss-sign.js';
import { tssVerify } from './tss-verify.js';

export const COMMAND_SECTIONS = {
  ceremony: 'Offline ceremony (all parties in one process; for demos, tests and air-gapped use)',
  node: 'Signing node (a long-running process holding one key share)',
} as const;
export type CommandSection = keyof typeof COMMAND_SECTIONS;

export interface Command {
  /** "tss verify": the words that select the command. */
  readonly name: string;
  readonly summary: string;
  /** The heading `coffer --help` lists the command under. */
  readonly section: CommandSection;
  readonly help: string;
  /** Returns the JSON document to print, or undefined when the command printed itself. */
  run(args: readonly string[]): Promise<unknown>;
}

export const COMMANDS: readonly Command[] = [
  tssKeygen,
  tssSign,
  tssVerify,
  tssImport,
  tssCombine,
  demo,
  nodeRun,
  nodeIdentity,
];
