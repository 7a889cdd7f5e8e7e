/** The server's pino logger: JSON lines, secrets redacted wherever they might appear. */
import pino, { type Logger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-coffer-csrf"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.inviteToken',
  '*.totp',
  '*.secret',
  '*.apiKey',
  '*.csrfToken',
];

export function createServerLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}
