/** The registry of `coffer` commands. */
import { tssVerify } from './tss-verify.js';

export interface Command {
  /** "tss verify": the words that select the command. */
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  /** Returns the JSON document to print, or undefined when the command printed itself. */
  run(args: readonly string[]): Promise<unknown>;
}

export const COMMANDS: readonly Command[] = [tssVerify];
