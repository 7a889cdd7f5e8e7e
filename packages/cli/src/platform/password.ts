/**
 * Reading a password for `coffer login` and `coffer bootstrap`: from the environment
 * variable named by --password-env (scripts, tests), else typed at the terminal without echo.
 * Never from argv, which every user of the machine can read with `ps`.
 */
import { secretFromEnv } from '../args.js';
import { usageError } from '../cli-error.js';

export async function readPassword(
  passwordEnv: string | undefined,
  prompt: string,
): Promise<string> {
  const fromEnv = secretFromEnv(passwordEnv);
  if (fromEnv !== undefined) return fromEnv;
  if (!process.stdin.isTTY) {
    throw usageError('no terminal to ask for the password: use --password-env VAR');
  }
  return promptHidden(prompt);
}

/** Reads one line from the terminal in raw mode, echoing nothing. Ctrl-C aborts. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(usageError('cancelled'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on('data', onData);
  });
}
