/** Server-generated identifiers and secret tokens (node:crypto's CSPRNG). */
import { createHash, randomBytes } from 'node:crypto';

/** `<prefix>_<32 hex>`: 128 random bits, matching `Id(prefix)` in @coffer/protocol. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('hex')}`;
}

/** A bearer secret (session cookie, invite, bootstrap, API key): 256 bits, base64url. */
export function newSecretToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database stores of a bearer secret: its SHA-256, hex. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
