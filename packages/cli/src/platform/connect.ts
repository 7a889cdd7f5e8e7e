/**
 * How a platform command reaches the server: the URL (--server, else COFFER_SERVER, else the
 * saved session's server, else http://127.0.0.1:8740), the credentials (an API key from the
 * variable COFFER_API_KEY, else the session saved by `coffer login` — sent only to the
 * server it was issued by), and the organisation (--org, else COFFER_ORG, else the caller's
 * only organisation).
 */
import { CofferClient } from '@coffer/sdk';
import { usageError } from '../cli-error.js';
import type { SessionInfo } from '@coffer/protocol';
import { loadSession, saveSession } from './session-file.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8740';

/** Options every platform command accepts. */
export const SERVER_OPTIONS = {
  server: { type: 'string' },
  json: { type: 'boolean' },
} as const;
export const ORG_OPTIONS = { ...SERVER_OPTIONS, org: { type: 'string' } } as const;

export const SERVER_HELP = `  --server URL    the Coffer server (default: COFFER_SERVER, the logged-in server,
                  ${DEFAULT_SERVER})
  --json          print JSON instead of readable lines
Credentials: the session saved by "coffer login", or an API key in COFFER_API_KEY.`;
export const ORG_HELP = `  --org ID        the organisation (default: COFFER_ORG, or your only organisation)
${SERVER_HELP}`;

export function serverUrl(option: string | undefined, env = process.env): string {
  return (option ?? env.COFFER_SERVER ?? loadSession(env)?.server ?? DEFAULT_SERVER).replace(
    /\/+$/,
    '',
  );
}

/** A client with the caller's credentials, for `--server` (or the defaults). */
export function connect(option: string | undefined, env = process.env): CofferClient {
  const baseUrl = serverUrl(option, env);
  const apiKey = env.COFFER_API_KEY;
  if (apiKey !== undefined && apiKey !== '') return new CofferClient({ baseUrl, apiKey });
  const saved = loadSession(env);
  if (saved !== undefined && saved.server === baseUrl) {
    return new CofferClient({
      baseUrl,
      session: { token: saved.token, csrfToken: saved.csrfToken },
    });
  }
  return new CofferClient({ baseUrl });
}

/** A client for logging in (login, bootstrap, logout): a saved session only, never an API key. */
export function sessionClient(option: string | undefined): CofferClient {
  return connect(option, { ...process.env, COFFER_API_KEY: '' });
}

/** Saves the session `client` has just started; returns the session file's path. */
export function keepSession(client: CofferClient, session: SessionInfo): string {
  return saveSession({
    server: client.baseUrl,
    ...client.sessionCredentials!,
    email: session.user.email,
    expiresAt: session.expiresAt,
  });
}

/** The organisation to act in: --org, COFFER_ORG, or the caller's only one. */
export async function resolveOrg(
  client: CofferClient,
  option: string | undefined,
  env = process.env,
): Promise<string> {
  const chosen = option ?? env.COFFER_ORG;
  if (chosen !== undefined && chosen !== '') return chosen;
  if (env.COFFER_API_KEY) throw usageError('give --org (or COFFER_ORG) with an API key');
  const { memberships } = await client.listOrgs();
  if (memberships.length === 1) return memberships[0]!.organisation.id;
  if (memberships.length === 0) throw usageError('you belong to no organisation yet');
  const list = memberships.map((m) => `${m.organisation.id} (${m.organisation.name})`).join(', ');
  throw usageError(`give --org: you belong to ${memberships.length} organisations: ${list}`);
}

/** Prints `lines` for a person, or returns `value` for main() to print as JSON. */
export function output(json: boolean | undefined, value: unknown, lines: () => string[]): unknown {
  if (json === true) return value;
  process.stdout.write(`${lines().join('\n')}\n`);
  return undefined;
}

/** A progress line on stderr (stdout stays for the result). */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}
