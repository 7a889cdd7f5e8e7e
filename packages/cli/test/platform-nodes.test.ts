/**
 * `coffer node enrol|list|remove` and `coffer apikey create|list|revoke` as a user runs them
 * (the real bin against the real app with a coordinator on loopback ports), the usage errors
 * caught before any request, and the help text (`--help`) naming every option of every
 * platform command.
 * Vault creation and signing across real node processes: tests/e2e/coffer-up.test.ts.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testNodeIdentity } from '../../server/test/support/node-identities.js';
import { BOOTSTRAP_TOKEN, PASSWORD } from '../../server/test/support/test-app.js';
import { startLiveApp, type LiveApp } from '../../sdk/test/support/live-app.js';
import { COMMANDS } from '../src/commands/index.js';
import { lastLine, runCoffer, tempDir } from './run-coffer.js';

describe('coffer node and apikey commands', () => {
  let live: LiveApp;
  let env: Record<string, string>;
  const dir = tempDir();

  beforeAll(async () => {
    live = await startLiveApp({}, { coordinator: true });
    const server = live.baseUrl;
    env = { COFFER_HOME: join(dir, 'home'), COFFER_SERVER: server, PW: PASSWORD };
    writeFileSync(join(dir, 'token'), BOOTSTRAP_TOKEN);
    const boot = await runCoffer(
      [
        'bootstrap',
        '--token-file',
        join(dir, 'token'),
        '--email',
        'o@example.org',
        '--password-env',
        'PW',
      ],
      env,
    );
    expect(boot.code).toBe(0);
  });
  afterAll(async () => live.close());

  it('enrols a node from its identity file, lists it, removes it', async () => {
    const { identity } = testNodeIdentity();
    const file = join(dir, 'identity.json');
    writeFileSync(file, JSON.stringify(identity));
    const enrol = await runCoffer(['node', 'enrol', '--name', 'vault-a', '--identity', file], env);
    expect([enrol.code, enrol.stdout.trim()]).toEqual([
      0,
      `Enrolled signing node vault-a: ${identity.nodeId}`,
    ]);
    const list = await runCoffer(['node', 'list'], env);
    expect(list.stdout).toMatch(new RegExp(`^${identity.nodeId}  disconnected .* vault-a$`, 'm'));
    const again = await runCoffer(['node', 'enrol', '--name', 'b', '--identity', file], env);
    expect([again.code, lastLine(again.stderr)]).toEqual([
      1,
      expect.stringMatching(/^coffer: CONFLICT: /),
    ]);
    const remove = await runCoffer(['node', 'remove', '--node', identity.nodeId, '--json'], env);
    expect(JSON.parse(remove.stdout)).toEqual({ ok: true });
    const empty = await runCoffer(['node', 'list', '--json'], env);
    expect(JSON.parse(empty.stdout)).toEqual({ nodes: [] });
  });

  it('creates an admin API key with an approval key file (0600), lists and revokes it', async () => {
    const keyFile = join(dir, 'approver.json');
    const created = await runCoffer(
      [
        'apikey',
        'create',
        '--name',
        'signer',
        '--role',
        'admin',
        '--approval-key-out',
        keyFile,
        '--json',
      ],
      env,
    );
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as {
      id: string;
      secret: string;
      approvalPublicKey: string;
    };
    expect(key.secret).toMatch(/^coffer_/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const file = JSON.parse(readFileSync(keyFile, 'utf8')) as {
      keyId: string;
      publicKey: string;
    };
    expect([file.keyId, file.publicKey]).toEqual([key.id, key.approvalPublicKey]);

    const listed = await runCoffer(['apikey', 'list'], env);
    expect(listed.stdout).toMatch(new RegExp(`^${key.id}  admin +active +approval +signer$`, 'm'));
    // The key itself may read its organisation (Bearer, from COFFER_API_KEY; --org required).
    const asKey = await runCoffer(['node', 'list', '--json'], {
      ...env,
      COFFER_API_KEY: key.secret,
    });
    expect([asKey.code, lastLine(asKey.stderr)]).toEqual([
      2,
      'coffer: give --org (or COFFER_ORG) with an API key',
    ]);
    const revoked = await runCoffer(['apikey', 'revoke', '--key', key.id], env);
    expect(revoked.stdout.trim()).toBe(`Revoked API key ${key.id}.`);
    const reuse = await runCoffer(
      ['apikey', 'create', '--name', 'x', '--role', 'admin', '--approval-key-out', keyFile],
      env,
    );
    expect([reuse.code, lastLine(reuse.stderr)]).toEqual([
      2,
      `coffer: ${keyFile} exists already; choose another --approval-key-out`,
    ]);
  });

  it('refuses bad usage before any request', async () => {
    const cases: [string[], string][] = [
      [
        ['vault', 'create', '--name', 'v', '--structure', '2of3'],
        'coffer: give either --nodes or --parties',
      ],
      [
        [
          'sign',
          '--vault',
          'v',
          '--scheme',
          'frost-ed25519',
          '--message',
          '00',
          '--message-text',
          'a',
        ],
        'coffer: give --message or --message-text, not both',
      ],
      [['approve', '--vault', 'v', '--request', 'r'], 'coffer: --approve-with is required'],
      [['node', 'remove'], 'coffer: --node is required'],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCoffer(args, env)));
    runs.forEach((run, i) => expect([run.code, lastLine(run.stderr)]).toEqual([2, cases[i]![1]]));
    const badFile = join(dir, 'not-json');
    writeFileSync(badFile, 'hello');
    const enrol = await runCoffer(['node', 'enrol', '--name', 'n', '--identity', badFile], env);
    expect([enrol.code, lastLine(enrol.stderr)]).toEqual([
      1,
      `coffer: ${badFile}: not a JSON public identity (see "coffer node identity")`,
    ]);
  });

  it('documents every option of every platform command in its help', () => {
    const commands: Record<string, string[]> = {
      up: ['--data-dir', '--port'],
      server: ['--host', '--port', '--data-dir', 'DATABASE_URL'],
      bootstrap: [
        '--email',
        '--password-env',
        '--name',
        '--organisation',
        '--data-dir',
        '--token-file',
        '--server',
      ],
      login: ['--email', '--password-env', '--totp', '--server', '--json'],
      logout: ['--json'],
      'org list': ['--server', '--json'],
      'org create': ['--name'],
      'node enrol': ['--name', '--identity', '--org'],
      'node list': ['--org'],
      'node remove': ['--node', '--force'],
      'vault create': [
        '--name',
        '--structure',
        '--nodes',
        '--parties',
        '--schemes',
        '--approval-quorum',
        '--no-wait',
      ],
      'vault list': ['--org'],
      'vault show': ['--vault'],
      sign: [
        '--vault',
        '--scheme',
        '--message',
        '--message-text',
        '--digest',
        '--approve-with',
        '--no-wait',
      ],
      approve: ['--vault', '--request', '--approve-with'],
      'apikey create': ['--name', '--role', '--approval-key-out'],
      'apikey list': ['--org'],
      'apikey revoke': ['--key'],
    };
    for (const [name, options] of Object.entries(commands)) {
      const command = COMMANDS.find((c) => c.name === name);
      expect(command, name).toBeDefined();
      for (const option of options) expect(command!.help, name).toContain(option);
    }
  });
});
