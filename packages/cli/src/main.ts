/**
 * Entry point of the `coffer` command: dispatches `coffer <group> <verb>` to a command
 * module under commands/. Output is JSON on stdout; an error is one line on stderr and a
 * non-zero exit (2 for usage errors).
 */
import { describeFailure, usageError } from './cli-error.js';
import { COMMAND_SECTIONS, COMMANDS, type Command } from './commands/index.js';

const sections = Object.entries(COMMAND_SECTIONS).map(([section, heading]) => {
  const lines = COMMANDS.filter((c) => c.section === section).map(
    (c) => `  coffer ${c.name.padEnd(13)} ${c.summary}`,
  );
  return `${heading}:\n${lines.join('\n')}`;
});

const HELP = `coffer — threshold-signature custody

Usage: coffer <command> [options]

${sections.join('\n\n')}

Run "coffer <command> --help" for a command's options.
`;

export async function main(argv: readonly string[]): Promise<number> {
  const words: string[] = [];
  let i = 0;
  while (i < argv.length && !argv[i]!.startsWith('-') && words.length < 2) words.push(argv[i++]!);
  const rest = argv.slice(i);
  if (words.length === 0) {
    process.stdout.write(HELP);
    return rest.length === 0 || rest.includes('--help') || rest.includes('-h') ? 0 : 2;
  }
  const command: Command | undefined =
    COMMANDS.find((c) => c.name === words.join(' ')) ??
    COMMANDS.find((c) => c.name === words[0] && words.length === 1);
  try {
    if (!command) throw usageError(`unknown command "${words.join(' ')}"; see "coffer --help"`);
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(command.help);
      return 0;
    }
    const result = await command.run(rest);
    if (result !== undefined) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (error) {
    const { line, exitCode } = describeFailure(error);
    process.stderr.write(`coffer: ${line}\n`);
    return exitCode;
  }
}
