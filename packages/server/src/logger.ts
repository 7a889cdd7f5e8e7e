/** The server's pino logger: JSON lines, secrets redacted wherever they might appear. */
import pino, { type Logger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-coffer-csrf"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.code',
  '*.token',
  '*.inviteToken',
  '*.totp',
  '*.secret',
  '*.apiKey',
  '*.csrfToken',
];

/** JSON lines on stdout, or on `destination` (`coffer up` writes the server's log to a file). */
export function createServerLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination === undefined ? pino(options) : pino(options, destination);
}
