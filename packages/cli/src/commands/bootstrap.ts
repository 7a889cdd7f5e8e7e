/**
 * `coffer bootstrap`: creates the instance's first owner and organisation with the one-time
 * bootstrap token (POST /v1/bootstrap; modules/auth/bootstrap.ts) and saves the session like
 * `coffer login`. With --data-dir (a `coffer up` directory) it finds the server, the token
 * file and the three local signing nodes there, and enrols the nodes into the new
 * organisation through the API.
 */
import { readFileSync } from 'node:fs';
import type { SigningNodeInfo } from '@coffer/protocol';
import { parseOptions, required } from '../args.js';
import { CliError, usageError } from '../cli-error.js';
import {
  keepSession,
  output,
  progress,
  SERVER_HELP,
  SERVER_OPTIONS,
  serverUrl,
  sessionClient,
} from '../platform/connect.js';
import { localLayout, readLocalNodes } from '../platform/local-setup.js';
import { readPassword } from '../platform/password.js';
import type { Command } from './index.js';

export const bootstrap: Command = {
  name: 'bootstrap',
  summary: 'create the first owner and organisation (one-time token)',
  section: 'platform',
  help: `Usage: coffer bootstrap --email E [--password-env VAR] [--name NAME]
                        [--organisation NAME] [--data-dir DIR | --token-file F] [--server URL]

Creates the first owner of a new Coffer instance and their organisation, with the one-time
token the server wrote on first start, logs in (like "coffer login") and, with --data-dir,
enrols the signing nodes "coffer up" runs there.

  --email E            the owner's email address
  --password-env VAR   read the new password (12+ characters) from this variable
                       (otherwise it is asked for at the terminal; never on the command line)
  --name NAME          the owner's display name (default: the email's local part)
  --organisation NAME  the first organisation (default: Coffer)
  --data-dir DIR       a "coffer up" data directory: the server URL, the token
                       (DIR/server/bootstrap-token) and the nodes to enrol (DIR/nodes.json)
  --token-file F       the bootstrap token file (default without --data-dir: the variable
                       COFFER_BOOTSTRAP_TOKEN)
${SERVER_HELP}
`,
  async run(args) {
    const o = parseOptions(args, {
      ...SERVER_OPTIONS,
      email: { type: 'string' },
      'password-env': { type: 'string' },
      name: { type: 'string' },
      organisation: { type: 'string' },
      'data-dir': { type: 'string' },
      'token-file': { type: 'string' },
    });
    const email = required(o.email, '--email');
    const local = o['data-dir'] === undefined ? undefined : readLocalNodes(o['data-dir']);
    const tokenFile =
      o['token-file'] ??
      (o['data-dir'] === undefined ? undefined : localLayout(o['data-dir']).bootstrapTokenFile);
    const token = readToken(tokenFile);
    const password = await readPassword(o['password-env'], 'New owner password: ');
    const server = serverUrl(o.server ?? local?.server, { ...process.env });
    const client = sessionClient(server);

    const session = await client.bootstrap({
      token,
      email,
      password,
      displayName: o.name ?? email.split('@')[0] ?? email,
      organisation: o.organisation ?? 'Coffer',
    });
    const sessionFile = keepSession(client, session);
    const organisation = (await client.listOrgs()).memberships[0]!.organisation;
    const nodes: SigningNodeInfo[] = [];
    for (const node of local?.nodes ?? []) {
      progress(`enrolling signing node ${node.name} (${node.identity.nodeId})`);
      nodes.push(await client.enrolNode(organisation.id, node));
    }
    const result = { user: session.user, organisation, nodes, sessionFile };
    return output(o.json, result, () => [
      `Created the owner ${session.user.email} and the organisation ${organisation.name} (${organisation.id}).`,
      ...nodes.map((n) => `Enrolled signing node ${n.name}: ${n.nodeId}`),
      `Logged in; session saved in ${sessionFile}.`,
    ]);
  },
};

function readToken(file: string | undefined): string {
  if (file === undefined) {
    const fromEnv = process.env.COFFER_BOOTSTRAP_TOKEN;
    if (fromEnv === undefined || fromEnv === '') {
      throw usageError('give --token-file, --data-dir, or the variable COFFER_BOOTSTRAP_TOKEN');
    }
    return fromEnv;
  }
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new CliError(
      `cannot read the bootstrap token at ${file} (is the instance already bootstrapped?)`,
    );
  }
}
