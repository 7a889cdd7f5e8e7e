/**
 * The signing node's structured log (CONVENTIONS.md habit 7): pino, JSON lines on stdout,
 * with redaction of every field whose name says it may hold a secret — passphrase, pin, key,
 * share, secret, password, nonce, protocol state and friends — at the top level and up to three levels
 * down, so an accidental `log.info({ config })` cannot print one. Redaction is the safety
 * net; the node's code does not log secrets in the first place.
 */
import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { REDACTED_SESSION_FIELDS } from '../sessions/session-logger.js';
import type { LogLevel } from './node-config.js';

/** Field names that are always censored. */
export const REDACTED_FIELDS = [
  'passphrase',
  'pin',
  'key',
  'secret',
  'secretKey',
  'privateKey',
  'password',
  'share',
  'shares',
  'keyShare',
  'nonce',
  'nonces',
  'presignature',
] as const;

/**
 * `field`, `*.field`, `*.*.field`, `*.*.*.field` for every redacted field, including the
 * session runner's (protocol state, payloads, params, evidence), which logs through this.
 */
export function redactionPaths(): string[] {
  const paths: string[] = [];
  for (const field of new Set<string>([...REDACTED_FIELDS, ...REDACTED_SESSION_FIELDS])) {
    for (let depth = 0; depth <= 3; depth += 1) paths.push(`${'*.'.repeat(depth)}${field}`);
  }
  return paths;
}

export function createNodeLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { pid: process.pid, service: 'coffer-node' },
    redact: { paths: redactionPaths(), censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
