/**
 * Identity routes: first-run bootstrap, registration, login/logout, the current session,
 * password change, TOTP enrolment, passkeys (WebAuthn) and API keys (packages/server
 * IDENTITY.md). Sessions are server-side and carried in an httpOnly cookie; state-changing
 * requests made with a session also send the CSRF token (`x-coffer-csrf` header) returned at
 * login.
 */
import { z } from 'zod';
import { Email, Id, OrgId, Password, Role, Timestamp, UserId } from './common.js';

export const CSRF_HEADER = 'x-coffer-csrf';
export const SESSION_COOKIE = 'coffer_session';

export const User = z
  .object({
    id: UserId,
    email: z.string(),
    displayName: z.string(),
    createdAt: Timestamp,
    totpEnabled: z.boolean(),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof User>;

export const DisplayName = z.string().trim().min(1).max(100);

export const BootstrapStatus = z.object({ bootstrapped: z.boolean() });

export const BootstrapRequest = z.object({
  /** The one-time token the server printed (and wrote to its data directory) on first start. */
  token: z.string().min(16).max(200),
  email: Email,
  password: Password,
  displayName: DisplayName,
  organisation: z.string().trim().min(1).max(100),
});

export const RegisterRequest = z.object({
  email: Email,
  password: Password,
  displayName: DisplayName,
  /** An invite token: registration is by invitation unless the server allows open sign-up. */
  inviteToken: z.string().min(16).max(200).optional(),
});

/** A 6-digit TOTP code (RFC 6238 with the authenticator apps' defaults). */
export const TotpCode = z.string().regex(/^[0-9]{6}$/, 'must be 6 digits');

export const LoginRequest = z.object({
  email: Email,
  password: z.string().min(1).max(1024),
  /** The current TOTP code, when the account has two-factor authentication enabled. */
  totp: TotpCode.optional(),
});

export const SessionInfo = z
  .object({
    user: User,
    /** Send this value in the `x-coffer-csrf` header with every state-changing request. */
    csrfToken: z.string(),
    expiresAt: Timestamp,
  })
  .meta({ id: 'SessionInfo' });
export type SessionInfo = z.infer<typeof SessionInfo>;

/** POST /v1/auth/totp: start enrolment; the current password is asked again. */
export const TotpEnrolmentRequest = z.strictObject({ password: z.string().min(1).max(1024) });

/** The new shared secret, shown once: type it or scan the `otpauth://` URI as a QR code. */
export const TotpEnrolment = z
  .object({
    /** RFC 4648 base32, 160 bits (RFC 4226 §4 recommends at least 128). */
    secret: z.string(),
    /** `otpauth://totp/Coffer:<email>?secret=…&issuer=Coffer&algorithm=SHA1&digits=6&period=30`. */
    uri: z.string(),
  })
  .meta({ id: 'TotpEnrolment' });
export type TotpEnrolment = z.infer<typeof TotpEnrolment>;

/** POST /v1/auth/totp/confirm: the first valid code turns two-factor authentication on. */
export const TotpConfirmRequest = z.strictObject({ code: TotpCode });

/** DELETE /v1/auth/totp: turning it off takes both the password and a current code. */
export const TotpDisableRequest = z.strictObject({
  password: z.string().min(1).max(1024),
  code: TotpCode,
});

/** POST /v1/auth/password: every other session of the account ends. */
export const PasswordChangeRequest = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: Password,
});

// ---------------------------------------------------------------------------------------------
// Passkeys (WebAuthn Level 3). Credentials travel as the JSON forms of WebAuthn L3 §5.1
// (`PublicKeyCredential.toJSON()`): byte strings are base64url without padding. Deviation from
// "reject unknown fields": the credential objects strip unknown members instead, because
// browsers add members to toJSON() over time; the server reads only the ones named here.

const Base64Url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url without padding');

/** WebAuthn L3 §5.8.4 AuthenticatorTransport. */
export const AuthenticatorTransport = z.enum([
  'ble',
  'cable',
  'hybrid',
  'internal',
  'nfc',
  'smart-card',
  'usb',
]);

/** A credential id (WebAuthn L3 §4: at most 1023 bytes), base64url: also the passkey's id. */
export const CredentialId = Base64Url(1400);

const CredentialEnvelope = {
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).exactOptional(),
  clientExtensionResults: z.object({}).loose(),
};

/** WebAuthn L3 §5.1 RegistrationResponseJSON (the result of navigator.credentials.create). */
export const RegistrationResponseJSON = z.object({
  ...CredentialEnvelope,
  response: z.object({
    clientDataJSON: Base64Url(4096),
    attestationObject: Base64Url(65536),
    authenticatorData: Base64Url(65536).exactOptional(),
    transports: z.array(AuthenticatorTransport).max(10).exactOptional(),
    publicKeyAlgorithm: z.number().int().exactOptional(),
    publicKey: Base64Url(4096).exactOptional(),
  }),
});
export type RegistrationResponseJSON = z.infer<typeof RegistrationResponseJSON>;

/** WebAuthn L3 §5.1 AuthenticationResponseJSON (the result of navigator.credentials.get). */
export const AuthenticationResponseJSON = z.object({
  ...CredentialEnvelope,
  response: z.object({
    clientDataJSON: Base64Url(4096),
    authenticatorData: Base64Url(65536),
    signature: Base64Url(1024),
    userHandle: Base64Url(128).exactOptional(),
  }),
});
export type AuthenticationResponseJSON = z.infer<typeof AuthenticationResponseJSON>;

const UserVerificationRequirement = z.enum(['discouraged', 'preferred', 'required']);

/** WebAuthn L3 §5.8.3 PublicKeyCredentialDescriptorJSON. */
const CredentialDescriptor = z.object({
  id: z.string(),
  type: z.literal('public-key'),
  transports: z.array(AuthenticatorTransport).optional(),
});

/**
 * WebAuthn L3 §5.4 PublicKeyCredentialCreationOptionsJSON: pass it to
 * `PublicKeyCredential.parseCreationOptionsFromJSON` (or @simplewebauthn/browser).
 */
export const PasskeyRegistrationOptions = z
  .object({
    rp: z.object({ id: z.string().optional(), name: z.string() }),
    user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
    challenge: z.string(),
    pubKeyCredParams: z.array(z.object({ type: z.literal('public-key'), alg: z.number() })),
    timeout: z.number().optional(),
    excludeCredentials: z.array(CredentialDescriptor).optional(),
    authenticatorSelection: z
      .object({
        authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
        requireResidentKey: z.boolean().optional(),
        residentKey: UserVerificationRequirement.optional(),
        userVerification: UserVerificationRequirement.optional(),
      })
      .optional(),
    hints: z.array(z.string()).optional(),
    attestation: z.enum(['direct', 'enterprise', 'indirect', 'none']).optional(),
    attestationFormats: z.array(z.string()).optional(),
    extensions: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'PasskeyRegistrationOptions' });
export type PasskeyRegistrationOptions = z.infer<typeof PasskeyRegistrationOptions>;

/** WebAuthn L3 §5.5 PublicKeyCredentialRequestOptionsJSON, for navigator.credentials.get. */
export const PasskeyLoginOptions = z
  .object({
    challenge: z.string(),
    timeout: z.number().optional(),
    rpId: z.string().optional(),
    allowCredentials: z.array(CredentialDescriptor).optional(),
    userVerification: UserVerificationRequirement.optional(),
    hints: z.array(z.string()).optional(),
    extensions: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'PasskeyLoginOptions' });
export type PasskeyLoginOptions = z.infer<typeof PasskeyLoginOptions>;

/** POST /v1/auth/passkeys/registration: the authenticator's answer and a name for the key. */
export const PasskeyRegistrationRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  credential: RegistrationResponseJSON,
  /**
   * Re-authentication: a passkey is a lasting credential that can log in and approve, so a
   * live session alone (possibly stolen) cannot add one.
   */
  currentPassword: z.string().min(1).max(1024),
});

/** POST /v1/auth/passkeys/login/options: by email, or without one (discoverable passkeys). */
export const PasskeyLoginOptionsRequest = z.strictObject({ email: Email.optional() });

/** POST /v1/auth/passkeys/login: the assertion; user verification (UV) is required. */
export const PasskeyLoginRequest = z.strictObject({ credential: AuthenticationResponseJSON });

/** A registered passkey as its owner sees it (never anything secret: there is nothing secret). */
export const Passkey = z
  .object({
    id: CredentialId,
    name: z.string(),
    /** The relying party id (host name) the credential is bound to. */
    rpId: z.string(),
    /** COSE algorithm (RFC 9053): -7 ES256, -8 EdDSA, -257 RS256. */
    algorithm: z.number().int(),
    /**
     * ES256 keys only: the uncompressed SEC1 P-256 point (65 bytes, `04‖x‖y`), hex. Signing
     * nodes verify `webauthn-es256` approvals with it (packages/node APPROVALS.md).
     */
    publicKeySec1: z
      .string()
      .regex(/^04[0-9a-f]{128}$/)
      .nullable(),
    signCount: z.number().int().nonnegative(),
    transports: z.array(AuthenticatorTransport),
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable(),
  })
  .meta({ id: 'Passkey' });
export type Passkey = z.infer<typeof Passkey>;

export const PasskeyList = z.object({ passkeys: z.array(Passkey) });
export const PasskeyParams = z.object({ passkeyId: CredentialId });

// ---------------------------------------------------------------------------------------------
// API keys for machine clients: `Authorization: Bearer coffer_…`. A key belongs to one
// organisation and carries one role (never owner); its secret is returned once, at creation.

export const ApiKeyId = Id('key');

/** The roles a key may carry: at most admin, so no key can act as an owner. */
export const ApiKeyRole = Role.exclude(['owner']);
export type ApiKeyRole = z.infer<typeof ApiKeyRole>;

/** An Ed25519 public key (RFC 8032 §5.1.5 encoding), 32 bytes in hex. */
export const Ed25519PublicKeyHex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'must be a 32-byte Ed25519 public key in hex')
  .transform((hex) => hex.toLowerCase());

export const CreateApiKeyRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: ApiKeyRole,
  /**
   * Optional: the public half of an Ed25519 key the client keeps; signatures with it can
   * later count as this key's approvals (packages/node APPROVALS.md, scheme `ed25519`).
   */
  approvalPublicKey: Ed25519PublicKeyHex.optional(),
});

/** An API key as listed: never its secret, nor the secret's hash. */
export const ApiKey = z
  .object({
    id: ApiKeyId,
    orgId: OrgId,
    name: z.string(),
    role: ApiKeyRole,
    approvalPublicKey: z.string().nullable(),
    createdBy: UserId,
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable(),
    /** Set once revoked; a revoked key is refused from that moment on. */
    revokedAt: Timestamp.nullable(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof ApiKey>;

/** The one response that carries the secret: store it now, it is never shown again. */
export const CreatedApiKey = ApiKey.extend({
  /** `coffer_<43 base64url characters>` (256 random bits); send as `Authorization: Bearer …`. */
  secret: z.string(),
}).meta({ id: 'CreatedApiKey' });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const ApiKeyList = z.object({ apiKeys: z.array(ApiKey) });
export const ApiKeyParams = z.object({ orgId: OrgId, keyId: ApiKeyId });
