/**
 * The platform commands as a user runs them: the real `coffer` bin as a child process
 * against the real server app on a loopback port — bootstrap with a token file, the session
 * file (mode 0600) that login keeps and logout removes, org list / create with readable and
 * --json output, and failures as one line on stderr with a non-zero exit.
 */
import { statSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP_TOKEN, PASSWORD } from '../../server/test/support/test-app.js';
import { startLiveApp, type LiveApp } from '../../sdk/test/support/live-app.js';
import { lastLine, runCoffer, tempDir } from './run-coffer.js';

describe('coffer bootstrap, login, logout, org', () => {
  let live: LiveApp;
  let server: string;
  let home: string;
  let env: Record<string, string>;
  const sessionFile = () => join(home, 'session.json');

  beforeAll(async () => {
    live = await startLiveApp();
    server = live.baseUrl;
    home = tempDir();
    env = { COFFER_HOME: home, COFFER_SERVER: server, OWNER_PASSWORD: PASSWORD };
  });
  afterAll(async () => live.close());

  it('bootstraps the owner from a token file and keeps the session (mode 0600)', async () => {
    const tokenFile = join(tempDir(), 'bootstrap-token');
    writeFileSync(tokenFile, `${BOOTSTRAP_TOKEN}\n`);
    const missingPassword = await runCoffer(
      [
        'bootstrap',
        '--token-file',
        tokenFile,
        '--email',
        'owner@example.org',
        '--password-env',
        'NOPE',
      ],
      env,
    );
    expect([missingPassword.code, lastLine(missingPassword.stderr)]).toEqual([
      2,
      'coffer: environment variable NOPE is not set',
    ]);

    const run = await runCoffer(
      [
        'bootstrap',
        '--token-file',
        tokenFile,
        '--email',
        'owner@example.org',
        '--password-env',
        'OWNER_PASSWORD',
        '--organisation',
        'Acme',
        '--json',
      ],
      env,
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { organisation: { name: string }; nodes: unknown[] };
    expect(result.organisation.name).toBe('Acme');
    expect(result.nodes).toEqual([]);
    expect(statSync(sessionFile()).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);

    const again = await runCoffer(
      [
        'bootstrap',
        '--token-file',
        tokenFile,
        '--email',
        'x@example.org',
        '--password-env',
        'OWNER_PASSWORD',
      ],
      env,
    );
    expect([again.code, lastLine(again.stderr)]).toEqual([
      1,
      'coffer: CONFLICT: this instance already has an owner',
    ]);
  });

  it('lists and creates organisations with the saved session', async () => {
    const created = await runCoffer(['org', 'create', '--name', 'Treasury', '--json'], env);
    expect(created.code).toBe(0);
    const org = JSON.parse(created.stdout) as { id: string; name: string };
    const listed = await runCoffer(['org', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${org.id}  owner      Treasury`);
    expect(listed.stdout).toMatch(/owner {6}Acme/);

    const invalid = await runCoffer(['org', 'create', '--name', ' '], env);
    expect(invalid.code).toBe(1);
    expect(lastLine(invalid.stderr)).toMatch(/^coffer: VALIDATION_FAILED: .*name/);
  });

  it('logout ends the session and removes the file; login makes a new one', async () => {
    const out = await runCoffer(['logout'], env);
    expect([out.code, out.stdout.trim()]).toEqual([0, `Logged out of ${server}.`]);
    expect(existsSync(sessionFile())).toBe(false);

    const anonymous = await runCoffer(['org', 'list'], env);
    expect([anonymous.code, lastLine(anonymous.stderr)]).toEqual([
      1,
      'coffer: UNAUTHENTICATED: log in first',
    ]);
    const twice = await runCoffer(['logout'], env);
    expect([twice.code, lastLine(twice.stderr)]).toEqual([1, 'coffer: not logged in']);

    const wrong = await runCoffer(
      ['login', '--email', 'owner@example.org', '--password-env', 'WRONG'],
      { ...env, WRONG: 'not the password at all' },
    );
    expect([wrong.code, lastLine(wrong.stderr)]).toEqual([
      1,
      'coffer: UNAUTHENTICATED: wrong email or password',
    ]);
    const login = await runCoffer(
      ['login', '--email', 'owner@example.org', '--password-env', 'OWNER_PASSWORD'],
      env,
    );
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('as owner@example.org');
    expect(statSync(sessionFile()).mode & 0o777).toBe(0o600);
    expect((await runCoffer(['org', 'list', '--json'], env)).code).toBe(0);
  });

  it('needs --email to log in, and refuses unknown options', async () => {
    const noEmail = await runCoffer(['login', '--password-env', 'OWNER_PASSWORD'], env);
    expect([noEmail.code, lastLine(noEmail.stderr)]).toEqual([2, 'coffer: --email is required']);
    const unknown = await runCoffer(['org', 'list', '--colour'], env);
    expect(unknown.code).toBe(2);
    expect(lastLine(unknown.stderr)).toContain("'--colour'");
  });
});
