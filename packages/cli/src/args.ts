/**
 * Option parsing for commands, on node:util's parseArgs (strict: an unknown option is a
 * usage error naming it), plus the converters every command shares.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { hexToBytes } from '@coffer/crypto';
import { CliError, usageError } from './cli-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseOptions<O extends Options>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
}

export function required<T>(value: T | undefined, option: string): T {
  if (value === undefined) throw usageError(`${option} is required`);
  return value;
}

export function hexOption(value: string | undefined, option: string): Uint8Array {
  const text = required(value, option).replace(/^0x/, '');
  try {
    return hexToBytes(text, option);
  } catch {
    throw usageError(`${option} must be hexadecimal`);
  }
}

/** Reads a secret from the named environment variable (never from argv, which `ps` shows). */
export function secretFromEnv(variable: string | undefined): string | undefined {
  if (variable === undefined) return undefined;
  const value = process.env[variable];
  if (value === undefined || value === '') {
    throw usageError(`environment variable ${variable} is not set`);
  }
  return value;
}

/** The JSON in `file` (`what` names it in the error). */
export function readJsonFile(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(
      `cannot read ${what} from ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
