/**
 * CRYPTO.md invariant 1: no code path outside the explicit offline recovery/export command
 * ever holds the whole private key. The only function that computes it is
 * `reconstructSecretOffline` (packages/crypto/src/sharing/recovery.ts); this test reads every
 * source file of every package and fails if anything but the offline combine command
 * imports that module or calls that function.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const RECOVERY_MODULE = 'packages/crypto/src/sharing/recovery.ts';
/** The only files allowed to reach the whole key. */
const ALLOWED = new Set([RECOVERY_MODULE, 'packages/cli/src/commands/tss-combine.ts']);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mjs|js)$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

describe('the whole private key', () => {
  const files = sourceFiles(join(root, 'packages')).map((f) => relative(root, f));

  it('is reconstructed by a function that exists', () => {
    expect(readFileSync(join(root, RECOVERY_MODULE), 'utf8')).toContain(
      'export function reconstructSecretOffline',
    );
    expect(files).toContain(RECOVERY_MODULE);
  });

  it('is reachable only from the offline combine command', () => {
    const offenders = files.filter((f) => {
      if (ALLOWED.has(f)) return false;
      const text = readFileSync(join(root, f), 'utf8');
      return /reconstructSecretOffline|sharing\/recovery(\.js|\.ts)?['"]|@coffer\/crypto\/recovery/.test(
        text,
      );
    });
    expect(offenders).toEqual([]);
  });

  it('is not exported from the crypto package entry point', () => {
    const index = readFileSync(join(root, 'packages/crypto/src/index.ts'), 'utf8');
    expect(index).not.toMatch(/recovery/);
  });
});
