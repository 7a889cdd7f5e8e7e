/**
 * Where `coffer login` keeps the login session between runs: `session.json` in $COFFER_HOME,
 * else $XDG_CONFIG_HOME/coffer, else ~/.config/coffer. The file holds the session cookie's
 * value and its CSRF token — a bearer secret for the session's lifetime — so it is written
 * with mode 0600 in a 0700 directory, and removed by `coffer logout`.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../cli-error.js';

export interface SavedSession {
  readonly server: string;
  readonly token: string;
  readonly csrfToken: string;
  readonly email: string;
  readonly expiresAt: string;
}

const FIELDS = ['server', 'token', 'csrfToken', 'email', 'expiresAt'] as const;

function isSavedSession(value: unknown): value is SavedSession {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return FIELDS.every((field) => typeof record[field] === 'string');
}

export function cofferHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COFFER_HOME) return env.COFFER_HOME;
  const config = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(config, 'coffer');
}

export const sessionFilePath = (env: NodeJS.ProcessEnv = process.env): string =>
  join(cofferHome(env), 'session.json');

export function loadSession(env: NodeJS.ProcessEnv = process.env): SavedSession | undefined {
  const file = sessionFilePath(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isSavedSession(parsed)) {
    throw new CliError(`${file} is not a coffer session file; run coffer login`);
  }
  return parsed;
}

export function saveSession(session: SavedSession, env: NodeJS.ProcessEnv = process.env): string {
  const home = cofferHome(env);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = sessionFilePath(env);
  const record = Object.fromEntries(FIELDS.map((field) => [field, session[field]]));
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an older file keeps its mode on overwrite
  return file;
}

export function removeSession(env: NodeJS.ProcessEnv = process.env): void {
  rmSync(sessionFilePath(env), { force: true });
}
