/**
 * `coffer server` as a process: it starts from the environment configuration (embedded PGlite
 * in --data-dir, any free ports), writes the first-run bootstrap token (mode 0600), answers
 * /healthz, and stops cleanly on SIGINT with exit code 0.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { tempDir } from './run-coffer.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'coffer.mjs');

it('runs the server until SIGINT, then stops cleanly', async () => {
  const dataDir = join(tempDir(), 'server');
  const child = spawn(process.execPath, [BIN, 'server', '--port', '0', '--data-dir', dataDir], {
    env: { PATH: process.env.PATH ?? '', COFFER_RELAY_PORT: '0', COFFER_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    void exit.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const listening =
        /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"coffer server listening"/.exec(stdout);
      if (listening) resolve(listening[1]!);
    });
  });
  expect(statSync(join(dataDir, 'bootstrap-token')).mode & 0o777).toBe(0o600);
  expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
  child.kill('SIGINT');
  expect(await exit).toBe(0);
  expect(stdout).toContain('"msg":"coffer server stopped"');
  expect(stderr).toBe('');
}, 120_000);
