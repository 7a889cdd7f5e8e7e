/** `coffer logout`: ends the saved login session on the server and deletes the session file. */
import { CofferApiError } from '@coffer/sdk';
import { parseOptions } from '../args.js';
import { CliError } from '../cli-error.js';
import { output, sessionClient } from '../platform/connect.js';
import { loadSession, removeSession } from '../platform/session-file.js';
import type { Command } from './index.js';

export const logout: Command = {
  name: 'logout',
  summary: 'end the saved login session',
  section: 'platform',
  help: `Usage: coffer logout [--json]

Ends the session saved by "coffer login" on its server and deletes the session file. A
session the server has already ended (expired, logged out elsewhere) is just deleted.
`,
  async run(args) {
    const o = parseOptions(args, { json: { type: 'boolean' } });
    const saved = loadSession();
    if (saved === undefined) throw new CliError('not logged in');
    const client = sessionClient(saved.server);
    try {
      await client.logout();
    } catch (error) {
      if (!(error instanceof CofferApiError && error.code === 'UNAUTHENTICATED')) throw error;
    }
    removeSession();
    return output(o.json, { ok: true, server: saved.server }, () => [
      `Logged out of ${saved.server}.`,
    ]);
  },
};
