/**
 * How `coffer` fails, through the real bin: encrypted share files (right, wrong and missing
 * passphrase), refusal to overwrite, shares of two keys mixed, bad input (unknown scheme,
 * bad structure, missing option, non-hex message, unknown option) — each one clear line on
 * stderr with exit 2 for usage errors and 1 otherwise, never a stack trace — and --help for
 * every command.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cofferJson, runCoffer, tempDir } from './run-coffer.js';

/** Exactly one line on stderr, prefixed "coffer:", no stack trace. */
function expectOneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^coffer: /);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe.concurrent('coffer failures', () => {
  it('encrypts share files with --passphrase-env; a wrong or missing passphrase is a clear error', async () => {
    const dir = tempDir();
    const env = { COFFER_PASS: 'correct horse battery staple', COFFER_WRONG: 'incorrect' };
    await cofferJson(
      [
        'tss',
        'keygen',
        '--scheme',
        'frost-secp256k1',
        '--structure',
        '2of3',
        '--out',
        dir,
        '--passphrase-env',
        'COFFER_PASS',
      ],
      env,
    );
    const file = readFileSync(join(dir, 'p1.share.json'), 'utf8');
    expect(JSON.parse(file)).toMatchObject({ kind: 'coffer-tss-share-encrypted', party: 'p1' });
    expect(file).not.toContain('secretShare');

    const sign = ['tss', 'sign', '--shares', dir, '--signers', 'p1,p2', '--message', 'beef'];
    const signed = await runCoffer([...sign, '--passphrase-env', 'COFFER_PASS'], env);
    expect(signed.code).toBe(0);
    const wrong = await runCoffer([...sign, '--passphrase-env', 'COFFER_WRONG'], env);
    expect(wrong.code).toBe(1);
    expect(expectOneLine(wrong.stderr)).toMatch(
      /cannot decrypt .*p[12]\.share\.json: wrong passphrase or modified file$/,
    );
    const missing = await runCoffer(sign, env);
    expect(missing.code).toBe(1);
    expect(expectOneLine(missing.stderr)).toMatch(
      /is encrypted: give the passphrase with --passphrase-env/,
    );
    const unset = await runCoffer([...sign, '--passphrase-env', 'COFFER_UNSET_VARIABLE'], env);
    expect(unset.code).toBe(2);
    expect(expectOneLine(unset.stderr)).toBe(
      'coffer: environment variable COFFER_UNSET_VARIABLE is not set',
    );
  });

  it('refuses to overwrite share files, and refuses shares of another key', async () => {
    const a = tempDir();
    const b = tempDir();
    const keygen = (dir: string) =>
      runCoffer([
        'tss',
        'keygen',
        '--scheme',
        'frost-ed25519',
        '--structure',
        '2of3',
        '--out',
        dir,
      ]);
    expect((await keygen(a)).code).toBe(0);
    expect((await keygen(b)).code).toBe(0);
    const again = await keygen(a);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists; refusing to overwrite');
    copyFileSync(join(b, 'p2.share.json'), join(a, 'p2.share.json'));
    const mixed = await runCoffer([
      'tss',
      'sign',
      '--shares',
      a,
      '--signers',
      'p1,p2',
      '--message',
      '00',
    ]);
    expect(mixed.code).toBe(1);
    expect(expectOneLine(mixed.stderr)).toMatch(/p2\.share\.json belongs to a different key/);
  });

  it.each([
    {
      name: 'unknown scheme',
      args: ['tss', 'keygen', '--scheme', 'rsa', '--structure', '2of3', '--out', 'x'],
      code: 2,
      line: 'coffer: unknown scheme "rsa" (expected frost-ed25519 | frost-secp256k1 | frost-taproot | ecdsa-secp256k1)',
    },
    {
      name: 'bad structure',
      args: ['tss', 'keygen', '--scheme', 'frost-ed25519', '--structure', '4of3', '--out', 'x'],
      code: 2,
      line: /^coffer: --structure: /,
    },
    {
      name: 'missing option',
      args: ['tss', 'keygen', '--scheme', 'frost-ed25519', '--out', 'x'],
      code: 2,
      line: /^coffer: --structure is required/,
    },
    {
      name: 'non-hex message',
      args: ['tss', 'sign', '--shares', 'x', '--signers', 'p1,p2', '--message', 'hello'],
      code: 2,
      line: 'coffer: --message must be hexadecimal',
    },
    {
      name: 'unknown option',
      args: ['tss', 'sign', '--shares', 'x', '--signer', 'p1'],
      code: 2,
      line: /^coffer: Unknown option '--signer'/,
    },
    {
      name: 'unknown command',
      args: ['tss', 'frobnicate'],
      code: 2,
      line: 'coffer: unknown command "tss frobnicate"; see "coffer --help"',
    },
    {
      name: 'no share directory',
      args: [
        'tss',
        'sign',
        '--shares',
        '/nonexistent/shares',
        '--signers',
        'p1,p2',
        '--message',
        '00',
      ],
      code: 1,
      line: /^coffer: \/nonexistent\/shares\/public\.json not found/,
    },
    {
      name: 'non-hex signature',
      args: [
        'tss',
        'verify',
        '--scheme',
        'frost-taproot',
        '--public-key',
        '00',
        '--message',
        '00',
        '--signature',
        'xyz',
      ],
      code: 2,
      line: 'coffer: --signature must be hexadecimal',
    },
  ])('$name: exit $code with one clear line', async ({ args, code, line }) => {
    const run = await runCoffer(args);
    expect(run.code).toBe(code);
    expect(run.stdout).toBe('');
    const got = expectOneLine(run.stderr);
    if (typeof line === 'string') expect(got).toBe(line);
    else expect(got).toMatch(line);
  });

  it('every command has --help describing each of its options', async () => {
    const top = await runCoffer(['--help']);
    expect(top.code).toBe(0);
    const commands = {
      'tss keygen': ['--scheme', '--structure', '--out', '--passphrase-env'],
      'tss sign': [
        '--shares',
        '--signers',
        '--message',
        '--passphrase-env',
        '--taproot-tweak',
        '--taproot-merkle-root',
      ],
      'tss verify': ['--scheme', '--public-key', '--message', '--signature'],
      'tss import': [
        '--scheme',
        '--structure',
        '--out',
        '--key-env',
        '--key-file',
        '--passphrase-env',
      ],
      'tss combine': ['--shares', '--parties', '--passphrase-env', 'privateScalar'],
      demo: ['Usage: coffer demo'],
    };
    const runs = await Promise.all(
      Object.keys(commands).map((c) => runCoffer([...c.split(' '), '--help'])),
    );
    Object.entries(commands).forEach(([command, options], i) => {
      expect(top.stdout).toContain(`coffer ${command}`);
      expect(runs[i]!.code).toBe(0);
      for (const option of options) expect(runs[i]!.stdout).toContain(option);
    });
  });
});
