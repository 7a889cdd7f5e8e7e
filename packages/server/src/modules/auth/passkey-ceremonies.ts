/**
 * The two WebAuthn ceremonies (WebAuthn L3 §7.1 registering a credential, §7.2 verifying an
 * authentication assertion) via @simplewebauthn/server, with Coffer's choices: the relying
 * party id is the host name of the public origin and the only accepted origin is that origin;
 * user verification is REQUIRED in both ceremonies (a passkey is then possession plus PIN or
 * biometric, and is accepted without a TOTP code); credentials are discoverable (resident)
 * so people can log in without typing an email; challenges are server-side and single use.
 */
import {
  PasskeyLoginOptions,
  PasskeyRegistrationOptions,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
  type User,
} from '@coffer/protocol';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { COSEALG, decodeClientDataJSON } from '@simplewebauthn/server/helpers';
import { ServerError, type Issue } from '../../http/server-error.js';
import type { Queryable } from '../../store/database.js';
import { describeCosePublicKey } from './cose-public-key.js';
import { findPasskey, listPasskeys, recordPasskeyUse, type NewPasskey } from './passkeys-store.js';
import {
  CHALLENGE_TTL_SECONDS,
  consumeChallenge,
  issueChallenge,
  type ChallengePurpose,
} from './webauthn-challenges-store.js';

export interface RelyingParty {
  /** WebAuthn L3 §5.1.2 RP ID: the origin's host name (no scheme, no port). */
  readonly id: string;
  /** The one origin clientDataJSON may name (WebAuthn L3 §7.1 step 9, §7.2 step 13). */
  readonly origin: string;
}

export function relyingParty(origin: string): RelyingParty {
  return { id: new URL(origin).hostname, origin };
}

/** ES256 first: it is the one signing nodes can verify approvals with. */
const SUPPORTED_ALGORITHMS = [COSEALG.ES256, COSEALG.EdDSA, COSEALG.RS256];

/** The user handle (WebAuthn L3 §4 "user handle"): the user id's UTF-8 bytes. */
function userHandle(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId, 'utf8'));
}

function base64urlBytes(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/** Reads the challenge out of clientDataJSON and consumes it (whatever the outcome next). */
async function takeChallenge(
  db: Queryable,
  clientDataJSON: string,
  purpose: ChallengePurpose,
  refused: (message: string, issues?: Issue[]) => ServerError,
): Promise<{ challenge: string; userId: string | null }> {
  let challenge: string;
  try {
    challenge = decodeClientDataJSON(clientDataJSON).challenge;
  } catch {
    throw refused('clientDataJSON is not valid JSON', [
      { path: 'body.credential.response.clientDataJSON', message: 'not base64url JSON' },
    ]);
  }
  const found =
    typeof challenge === 'string' ? await consumeChallenge(db, challenge, purpose) : undefined;
  if (!found) throw refused('unknown, expired or already used challenge: start again');
  return { challenge, userId: found.userId };
}

export async function registrationOptions(
  db: Queryable,
  rp: RelyingParty,
  user: User,
): Promise<PasskeyRegistrationOptions> {
  const challenge = await issueChallenge(db, 'registration', user.id);
  const existing = await listPasskeys(db, user.id);
  const options = await generateRegistrationOptions({
    rpName: 'Coffer',
    rpID: rp.id,
    userName: user.email,
    userID: userHandle(user.id),
    userDisplayName: user.displayName,
    challenge: base64urlBytes(challenge),
    timeout: CHALLENGE_TTL_SECONDS * 1000,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
  });
  return PasskeyRegistrationOptions.parse(options);
}

/** WebAuthn L3 §7.1: verifies a new credential for the logged-in `userId`; returns what to store. */
export async function verifyRegistration(
  db: Queryable,
  rp: RelyingParty,
  userId: string,
  name: string,
  credential: RegistrationResponseJSON,
): Promise<NewPasskey> {
  const refused = (message: string, issues?: Issue[]) =>
    new ServerError('BAD_REQUEST', `passkey not registered: ${message}`, issues);
  const taken = await takeChallenge(
    db,
    credential.response.clientDataJSON,
    'registration',
    refused,
  );
  if (taken.userId !== userId) throw refused('this challenge was issued to another session');
  let result;
  try {
    result = await verifyRegistrationResponse({
      response: credential,
      expectedChallenge: taken.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserPresence: true,
      requireUserVerification: true,
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
  } catch (error) {
    throw refused((error as Error).message);
  }
  if (!result.verified) throw refused('the attestation did not verify');
  const { credential: verified } = result.registrationInfo;
  let key;
  try {
    key = describeCosePublicKey(verified.publicKey);
  } catch (error) {
    throw refused((error as Error).message);
  }
  return {
    id: verified.id,
    userId,
    name,
    rpId: rp.id,
    algorithm: key.algorithm,
    publicKey: verified.publicKey,
    publicKeySec1: key.sec1,
    signCount: verified.counter,
    transports: credential.response.transports ?? [],
  };
}

/**
 * Options for a login: with a known email, the person's passkeys are listed and the
 * challenge is bound to them; without an email the authenticator offers its discoverable
 * credentials. For an unknown email no challenge is stored, so the login cannot succeed.
 */
export async function loginOptions(db: Queryable, rp: RelyingParty): Promise<PasskeyLoginOptions> {
  const challenge = await issueChallenge(db, 'authentication', null);
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    challenge: base64urlBytes(challenge),
    timeout: CHALLENGE_TTL_SECONDS * 1000,
    userVerification: 'required',
  });
  return PasskeyLoginOptions.parse(options);
}

/** WebAuthn L3 §7.2: verifies a login assertion; returns the user it authenticates. */
export async function verifyLogin(
  db: Queryable,
  rp: RelyingParty,
  credential: AuthenticationResponseJSON,
): Promise<{ userId: string; passkeyId: string }> {
  const refused = (message: string, issues?: Issue[]) =>
    new ServerError('UNAUTHENTICATED', `passkey login refused: ${message}`, issues);
  const taken = await takeChallenge(
    db,
    credential.response.clientDataJSON,
    'authentication',
    refused,
  );
  const stored = await findPasskey(db, credential.id);
  if (!stored) throw refused('unknown passkey');
  // §7.2 step 6: the credential must belong to the user the login started for, and the
  // authenticator's user handle (if it returns one) must be that user's.
  if (taken.userId !== null && taken.userId !== stored.userId) {
    throw refused('this passkey belongs to another account');
  }
  const handle = credential.response.userHandle;
  if (
    handle !== undefined &&
    handle !== Buffer.from(userHandle(stored.userId)).toString('base64url')
  ) {
    throw refused('the user handle does not match the passkey');
  }
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response: credential,
      expectedChallenge: taken.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: stored.passkey.id,
        publicKey: stored.publicKey,
        counter: stored.passkey.signCount,
        transports: stored.passkey.transports,
      },
      requireUserVerification: true,
      advancedFIDOConfig: { userVerification: 'required' },
    });
  } catch (error) {
    throw refused((error as Error).message);
  }
  if (!result.verified) throw refused('the signature did not verify');
  if (!(await recordPasskeyUse(db, stored.passkey.id, result.authenticationInfo.newCounter))) {
    throw refused('the signature counter went backwards (a cloned authenticator?)');
  }
  return { userId: stored.userId, passkeyId: stored.passkey.id };
}
