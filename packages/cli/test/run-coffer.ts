/**
 * Test helper: runs the real `coffer` bin (node packages/cli/bin/coffer.mjs) as a child
 * process and returns its exit code, stdout and stderr, plus temporary-directory and JSON
 * helpers shared by the CLI tests.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', 'bin', 'coffer.mjs');

export interface CofferRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCoffer(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<CofferRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs coffer, expects exit 0 and returns the parsed JSON on stdout. */
export async function cofferJson<T = Record<string, unknown>>(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<T> {
  const run = await runCoffer(args, env);
  if (run.code !== 0) {
    throw new Error(`coffer ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  }
  return JSON.parse(run.stdout) as T;
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'coffer-cli-test-'));

/** The tree of issue 2, written to a file in `dir`. */
export const TREE = {
  threshold: 3,
  members: [
    { threshold: 2, members: ['ops1', 'ops2', 'ops3'] },
    { threshold: 1, members: ['api1', 'api2'] },
    'head',
  ],
};

export function writeTreeFile(dir: string): string {
  const path = join(dir, 'structure.json');
  writeFileSync(path, JSON.stringify(TREE));
  return path;
}

export const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex');

/** The stderr of a failed run is one line (after the progress lines commands may print). */
export function lastLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  return lines[lines.length - 1]!;
}
