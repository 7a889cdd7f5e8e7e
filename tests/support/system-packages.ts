/**
 * The project-wide rule for tests that need a system package (softhsm2, nats-server, …):
 * when the package is missing the test is skipped LOUDLY (a console.warn naming the package
 * and its `apt-get install` command), except under `COFFER_REQUIRE_ALL_TESTS=1` (CI), where a
 * missing package is a failure: the helper throws while the test file is collected, so the
 * file fails with that same message instead of passing by skipping. Use it as
 * `describe.runIf(requireSystemPackage('softhsm2', () => fileExists(path)))(...)`.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** True when CI asked for every test to run (`COFFER_REQUIRE_ALL_TESTS=1`). */
export function allTestsRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.COFFER_REQUIRE_ALL_TESTS === '1';
}

/**
 * Returns true when `probe()` finds the package (run the tests). When it does not: warns and
 * returns false (skip), or throws under COFFER_REQUIRE_ALL_TESTS=1 (fail).
 */
export function requireSystemPackage(
  name: string,
  probe: () => boolean,
  aptName: string = name,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  let present: boolean;
  try {
    present = probe();
  } catch {
    present = false;
  }
  if (present) return true;
  const install = `apt-get install -y ${aptName}`;
  if (allTestsRequired(env)) {
    throw new Error(
      `system package ${name} is required (COFFER_REQUIRE_ALL_TESTS=1) but missing: ${install}`,
    );
  }
  console.warn(
    `SKIPPING tests that need system package ${name}: it is missing. Install: ${install}`,
  );
  return false;
}

/** Probe: a file (e.g. a PKCS#11 module) exists. */
export function fileExists(path: string): boolean {
  return existsSync(path);
}

/** Probe: an executable named `command` is on PATH. */
export function commandOnPath(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}
