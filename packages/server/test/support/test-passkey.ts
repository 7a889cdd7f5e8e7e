/**
 * A passkey for approval tests without a browser: an ES256 key stored as a member's passkey
 * (what registration would have stored), and WebAuthn assertions (L3 §6.3.3) with chosen
 * flags whose challenge is the one a request or policy version asks for.
 */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Database } from '../../src/store/database.js';
import { ORIGIN } from './test-app.js';

export interface TestPasskey {
  readonly id: string;
  readonly secretKey: Uint8Array;
}

export function testPasskey(id: string): TestPasskey {
  return { id, secretKey: p256.utils.randomSecretKey() };
}

/** Stores the passkey as `userId`'s (rp id `localhost`). */
export async function insertTestPasskey(
  db: Database,
  passkey: TestPasskey,
  userId: string,
): Promise<void> {
  await db.query(
    `INSERT INTO passkeys (id, user_id, name, rp_id, algorithm, public_key, public_key_sec1)
     VALUES ($1, $2, 'phone', 'localhost', -7, '\\x00', $3)`,
    [passkey.id, userId, Buffer.from(p256.getPublicKey(passkey.secretKey, false)).toString('hex')],
  );
}

/** An assertion over `challenge` (base64url); flags 0x05 = user present and verified. */
export function passkeyAssertion(passkey: TestPasskey, challenge: string, flags = 0x05) {
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
  const authenticatorData = concatBytes(
    sha256(utf8ToBytes('localhost')),
    Uint8Array.of(flags, 0, 0, 0, 1),
  );
  const clientDataJSON = utf8ToBytes(
    JSON.stringify({ type: 'webauthn.get', challenge, origin: ORIGIN }),
  );
  const signed = sha256(concatBytes(authenticatorData, sha256(clientDataJSON)));
  const signature = p256.sign(signed, passkey.secretKey, { prehash: false, format: 'der' });
  return {
    approverKeyId: passkey.id,
    scheme: 'webauthn-es256' as const,
    signature: b64(signature),
    authenticatorData: b64(authenticatorData),
    clientDataJSON: b64(clientDataJSON),
  };
}
