/**
 * Strict readers for the `coffer node` configuration document: each takes an untrusted JSON
 * value and a dotted path ("keystore.pinEnv") and either returns a typed value or throws
 * `NodeError('CONFIG_INVALID')` with a message naming the path. `readObject` rejects keys
 * it was not told about, so a misspelt option — or a secret pasted into the file, where
 * only the name of an environment variable belongs — is an error, never silently ignored.
 */
import { NodeError } from '../errors.js';

export type JsonObject = Readonly<Record<string, unknown>>;

export function configError(path: string, problem: string): NodeError {
  return new NodeError('CONFIG_INVALID', `config: ${path === '' ? '' : `${path} `}${problem}`);
}

/** Keys that hold secrets: a config file must name the env var instead (hint in the error). */
const SECRET_KEYS = new Set(['passphrase', 'pin', 'key', 'kmsKey', 'secret', 'password']);

/** An object with exactly the allowed keys (each may be absent); unknown keys are errors. */
export function readObject(value: unknown, path: string, allowed: readonly string[]): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configError(path, 'must be an object');
  }
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const where = path === '' ? key : `${path}.${key}`;
    if (SECRET_KEYS.has(key)) {
      throw configError(
        where,
        'is not allowed: secrets come from environment variables (see "coffer node --help")',
      );
    }
    throw configError(where, `is not a known option (known: ${allowed.join(', ')})`);
  }
  return value as JsonObject;
}

export function readString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw configError(path, 'must be a non-empty string');
  }
  return value;
}

export function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined ? undefined : readString(value, path);
}

export function readInteger(value: unknown, path: string, min: number, max: number): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw configError(path, `must be an integer from ${min} to ${max}`);
  }
  return n;
}

export function readOneOf<T extends string>(
  value: unknown,
  path: string,
  choices: readonly T[],
): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw configError(path, `must be one of ${choices.join(', ')}`);
  }
  return value as T;
}

export function readArray(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw configError(path, 'must be an array');
  return value;
}

/** An environment variable NAME (not its value): upper-case letters, digits, underscores. */
export function readEnvVarName(value: unknown, path: string, fallback: string): string {
  if (value === undefined) return fallback;
  const name = readString(value, path);
  if (!/^[A-Z_][A-Z0-9_]{0,127}$/.test(name)) {
    throw configError(path, 'must be the name of an environment variable (A-Z, 0-9, _)');
  }
  return name;
}
