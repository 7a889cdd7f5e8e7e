/**
 * Throw-away softhsm2 tokens for tests: a temp directory with its own `softhsm2.conf`
 * (`directories.tokendir` inside it), `SOFTHSM2_CONF` pointed at it, and tokens initialised
 * with `softhsm2-util --init-token --free`. Call `createSoftHsmTokens` before the first
 * C_Initialize of the process (softhsm2 reads its config then). Availability follows the
 * project-wide rule in system-packages.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandOnPath, fileExists, requireSystemPackage } from './system-packages.js';

/** Debian's softhsm2 PKCS#11 module. */
export const SOFTHSM2_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

/** Whether softhsm2 tests run here (warns and skips, or throws under CI; see the helper). */
export function softHsmAvailable(): boolean {
  return requireSystemPackage(
    'softhsm2',
    () => fileExists(SOFTHSM2_MODULE) && commandOnPath('softhsm2-util'),
    'softhsm2',
  );
}

export interface SoftHsmTokens {
  readonly directory: string;
  readonly modulePath: string;
  readonly userPin: string;
  readonly soPin: string;
  /** Removes the token directory and restores SOFTHSM2_CONF. */
  cleanup(): void;
}

/** Creates a fresh token store with one token per label, all with the same PINs. */
export function createSoftHsmTokens(
  labels: readonly string[],
  userPin = '246810',
  soPin = '13579135',
): SoftHsmTokens {
  const directory = mkdtempSync(join(tmpdir(), 'coffer-softhsm-'));
  const tokenDir = join(directory, 'tokens');
  mkdirSync(tokenDir, { mode: 0o700 });
  const conf = join(directory, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  const previous = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = conf;
  for (const label of labels) {
    execFileSync(
      'softhsm2-util',
      ['--init-token', '--free', '--label', label, '--so-pin', soPin, '--pin', userPin],
      { env: process.env, stdio: 'pipe' },
    );
  }
  return {
    directory,
    modulePath: SOFTHSM2_MODULE,
    userPin,
    soPin,
    cleanup() {
      if (previous === undefined) delete process.env.SOFTHSM2_CONF;
      else process.env.SOFTHSM2_CONF = previous;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
