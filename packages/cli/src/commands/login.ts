/**
 * `coffer login`: logs in with email and password (and a TOTP code when the account has
 * two-factor authentication) and saves the session for the other commands (session-file.ts).
 */
import { parseOptions, required } from '../args.js';
import {
  keepSession,
  output,
  SERVER_HELP,
  SERVER_OPTIONS,
  sessionClient,
} from '../platform/connect.js';
import { readPassword } from '../platform/password.js';
import type { Command } from './index.js';

export const login: Command = {
  name: 'login',
  summary: 'log in to a Coffer server and keep the session',
  section: 'platform',
  help: `Usage: coffer login --email E [--password-env VAR] [--totp CODE] [--server URL]

Logs in and saves the session (mode 0600) in $COFFER_HOME/session.json (default
~/.config/coffer/session.json); "coffer logout" ends it.

  --email E           your account's email address
  --password-env VAR  read the password from this environment variable (otherwise it is
                      asked for at the terminal; never give it on the command line)
  --totp CODE         the current 6-digit code, if two-factor authentication is on
${SERVER_HELP}
`,
  async run(args) {
    const o = parseOptions(args, {
      ...SERVER_OPTIONS,
      email: { type: 'string' },
      'password-env': { type: 'string' },
      totp: { type: 'string' },
    });
    const email = required(o.email, '--email');
    const password = await readPassword(o['password-env'], 'Password: ');
    const client = sessionClient(o.server);
    const session = await client.login({
      email,
      password,
      ...(o.totp === undefined ? {} : { totp: o.totp }),
    });
    const file = keepSession(client, session);
    const result = { user: session.user, expiresAt: session.expiresAt, sessionFile: file };
    return output(o.json, result, () => [
      `Logged in to ${client.baseUrl} as ${session.user.email} (until ${session.expiresAt}).`,
      `Session saved in ${file}.`,
    ]);
  },
};
